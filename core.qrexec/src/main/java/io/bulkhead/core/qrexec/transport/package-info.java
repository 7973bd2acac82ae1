/**
 * Transport SPI: the byte channel that carries one qube's qrexec traffic (a virtio-serial port
 * behind a unix socket on QEMU, a unix socket for an agent run as a local process, a vchan or
 * hvsocket elsewhere), and providers that open it. Plain Java: the guest agent uses the channel
 * classes too.
 *
 * <p>1.1.0: {@link io.bulkhead.core.qrexec.transport.VchanSocketProvider} and
 * {@link io.bulkhead.core.qrexec.transport.VchanSocketEndpoint} mark qubes that run an
 * unmodified Qubes agent over libvchan-socket (one unix socket per vchan) instead of the
 * multiplexed channel.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.bulkhead.core.qrexec.transport;
