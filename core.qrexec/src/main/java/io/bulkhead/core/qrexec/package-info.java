/**
 * dom0 side of qrexec: run commands and call services in qubes ({@link io.bulkhead.core.qrexec.QrexecService}),
 * and the whiteboard SPIs the router consults: {@link io.bulkhead.core.qrexec.Dom0RpcHandler}
 * (services whose target is dom0), {@link io.bulkhead.core.qrexec.AskPrompt} (who answers an
 * {@code ask}) and {@link io.bulkhead.core.qrexec.DisposableVmService} ({@code @dispvm} targets).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.bulkhead.core.qrexec;
