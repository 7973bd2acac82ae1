package io.bulkhead.core.qrexec;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * One call of a service whose target is dom0, as a {@link Dom0RpcHandler} sees it. The streams
 * are the caller's stdin and the caller-visible stdout/stderr; the router closes them after the
 * handler returns.
 *
 * @param source              the calling qube
 * @param serviceName         service name (before the {@code +})
 * @param argument            argument without the {@code +} ({@code ""} for none)
 * @param requestedTarget     what the caller asked for: {@code dom0}, or {@code adminvm} for the keyword
 * @param requestedTargetType {@code name} or {@code keyword} (Qubes' QREXEC_REQUESTED_TARGET_TYPE)
 * @param stdin               data the caller sends
 * @param stdout              data to the caller
 * @param stderr              error data to the caller
 */
public record Dom0RpcCall(String source, String serviceName, String argument, String requestedTarget,
        String requestedTargetType, InputStream stdin, OutputStream stdout, OutputStream stderr) {

    /** @return {@code svc+arg} */
    public String descriptor() {
        return serviceName + "+" + argument;
    }
}
