package io.bulkhead.core.qrexec.protocol;

/**
 * A service call as the target sees it: the {@code QUBESRPC svc+arg source [name|keyword target]}
 * part of a command line.
 *
 * @param serviceName         the part before the first {@code +}
 * @param argument            the part after it, without the {@code +} ({@code ""} for none)
 * @param sourceDomain        the calling qube
 * @param requestedTargetType {@code name}, {@code keyword} or {@code ""} (only dom0 targets get it)
 * @param requestedTarget     the target the caller asked for, {@code @} stripped for keywords; {@code ""} if unset
 */
public record ServiceCall(String serviceName, String argument, String sourceDomain, String requestedTargetType,
        String requestedTarget) {

    /** The command-line prefix of a service call. */
    public static final String RPC_PREFIX = "QUBESRPC";

    public ServiceCall(String serviceName, String argument, String sourceDomain) {
        this(serviceName, argument, sourceDomain, "", "");
    }

    /** @return {@code svc+arg}, always with the {@code +} (as the daemon sends it) */
    public String descriptor() {
        return serviceName + "+" + argument;
    }

    /** @return {@code QUBESRPC svc+arg source[ type target]} */
    public String toCommand() {
        StringBuilder sb = new StringBuilder(RPC_PREFIX).append(' ').append(descriptor()).append(' ').append(sourceDomain);
        if (!requestedTargetType.isEmpty()) {
            sb.append(' ').append(requestedTargetType).append(' ').append(requestedTarget);
        }
        return sb.toString();
    }

    /**
     * @return the service descriptor a socket service receives (followed by a NUL on the
     *         socket): {@code svc+arg source} or, in dom0, {@code svc+arg source name|keyword target}
     */
    public String socketDescriptor() {
        return toCommand().substring(RPC_PREFIX.length() + 1);
    }
}
