package io.bulkhead.core.policy;

import java.util.Objects;

/**
 * One qrexec call to decide: {@code SERVICE+ARGUMENT} from {@code source} to the target the caller
 * asked for.
 *
 * @param service         service name without argument, e.g. {@code qubes.Gpg}
 * @param argument        argument starting with {@code +}; {@code +} alone means none
 * @param source          calling qube (name or {@code uuid:...})
 * @param target          intended target exactly as the caller sent it; empty means
 *                        {@code @default}
 * @param requestedSource source claimed by a relay qube for a RemoteVM, or {@code null}
 */
public record PolicyRequest(String service, String argument, String source, String target,
        String requestedSource) {

    public PolicyRequest {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(source, "source");
        argument = argument == null || argument.isEmpty() ? "+" : argument;
        if (argument.charAt(0) != '+') {
            throw new IllegalArgumentException("argument must start with '+': " + argument);
        }
        target = target == null ? "" : target;
        requestedSource = requestedSource == null || requestedSource.isEmpty() ? null : requestedSource;
    }

    public PolicyRequest(String service, String argument, String source, String target) {
        this(service, argument, source, target, null);
    }

    /**
     * A request for a call name as qrexec carries it: {@code svc+arg} is split at the first
     * {@code +}; a name without {@code +} gets the empty argument {@code +}.
     */
    public static PolicyRequest of(String serviceAndArgument, String source, String target) {
        int plus = serviceAndArgument.indexOf('+');
        if (plus < 0) {
            return new PolicyRequest(serviceAndArgument, "+", source, target, null);
        }
        return new PolicyRequest(serviceAndArgument.substring(0, plus),
                serviceAndArgument.substring(plus), source, target, null);
    }
}
