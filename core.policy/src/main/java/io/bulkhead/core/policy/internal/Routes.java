package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.CallRoute;
import io.bulkhead.core.policy.QubeInfo;

/**
 * Turns an allowed target into the daemon's answer (Qubes' {@code AllowResolution.execute},
 * reference a.8 steps 8-9 and a.10).
 */
final class Routes {
    private Routes() {
    }

    /** The allowed call cannot be delivered; Qubes answers {@code result=deny}. */
    static final class Undeliverable extends Exception {
        private static final long serialVersionUID = 1L;

        Undeliverable(String message) {
            super(message, null, false, false);
        }
    }

    static CallRoute route(RequestContext request, String target, String user, boolean autostart)
            throws Undeliverable {
        String requested = request.target;
        String policySource = request.relayed ? request.source.raw : null;
        if (request.source.raw.equals(target)) {
            throw new Undeliverable("loopback qrexec connection not supported");
        }
        if (Token.isDom0(target)) {
            return new CallRoute(user, "dom0", null, autostart, requested, null, null);
        }
        if (target.startsWith("@dispvm:")) {
            QubeInfo template = QubeRef.lookup(target.substring(8), request.system);
            if (template == null) {
                throw new Undeliverable("disposable template does not exist: " + target.substring(8));
            }
            return new CallRoute(user, target, uuid("@dispvm:uuid:", template), autostart, requested, null,
                    policySource);
        }
        QubeInfo info = QubeRef.lookup(target, request.system);
        if (info == null) {
            throw new Undeliverable("target qube does not exist: " + target);
        }
        if ("RemoteVM".equals(info.type())) {
            if (isEmpty(info.relayVm())) {
                throw new Undeliverable(target + ": relayvm is not set");
            }
            if (isEmpty(info.transportRpc())) {
                throw new Undeliverable(target + ": transport RPC is not set");
            }
            QubeInfo relay = QubeRef.lookup(info.relayVm(), request.system);
            if (relay == null) {
                throw new Undeliverable(target + ": relay qube does not exist: " + info.relayVm());
            }
            String service = info.transportRpc() + "+" + requested + "+" + request.request.service()
                    + request.request.argument();
            // user= is not supported towards a RemoteVM: Qubes ignores it too
            return new CallRoute(null, info.relayVm(), uuid("uuid:", relay), autostart, requested, service,
                    policySource);
        }
        return new CallRoute(user, target, uuid("uuid:", info), autostart, requested, null, policySource);
    }

    private static String uuid(String prefix, QubeInfo qube) {
        return qube.uuid() == null ? null : prefix + qube.uuid();
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
