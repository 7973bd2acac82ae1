package io.bulkhead.core.policy;

import java.util.Objects;

/**
 * How an allowed call is to be connected: the fields of the Qubes policy daemon's answer.
 *
 * @param user            account to run the service as, {@code null} for the default user
 * @param target          qube to connect: a name, {@code dom0}, {@code uuid:U}, or
 *                        {@code @dispvm:T} (create a disposable from T); for a RemoteVM, its relay
 * @param targetUuid      {@code uuid:U} or {@code @dispvm:uuid:U}; {@code null} for dom0
 * @param autostart       whether a halted target may be started
 * @param requestedTarget intended target after normalisation
 * @param service         {@code svc+arg} to invoke instead of the requested one (RemoteVM
 *                        transport), else {@code null}
 * @param policySource    the relayed source the policy was evaluated for, else {@code null}
 */
public record CallRoute(String user, String target, String targetUuid, boolean autostart,
        String requestedTarget, String service, String policySource) {

    public CallRoute {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(requestedTarget, "requestedTarget");
    }

    /** The daemon's answer lines ({@code key=value}, no trailing newline), as Qubes writes them. */
    public String toResponse() {
        StringBuilder out = new StringBuilder(160);
        out.append("user=").append(user == null ? "DEFAULT" : user);
        out.append("\nresult=allow\ntarget=").append(target);
        if (targetUuid != null) {
            out.append("\ntarget_uuid=").append(targetUuid);
        }
        out.append("\nautostart=").append(autostart ? "True" : "False");
        out.append("\nrequested_target=").append(requestedTarget);
        if (service != null) {
            out.append("\nservice=").append(service);
        }
        if (policySource != null) {
            out.append("\npolicy_source=").append(policySource);
        }
        return out.toString();
    }
}
