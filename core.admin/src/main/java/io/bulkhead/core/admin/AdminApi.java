package io.bulkhead.core.admin;

/**
 * The Admin API in process: what the qubesd socket serves, for callers inside dom0 (the qrexec
 * bridge for calls from qubes, Gogo commands). Streaming methods ({@code admin.Events}) are only
 * served on the socket.
 */
public interface AdminApi {

    /**
     * Validates and performs one call, in qubesd's order: source and destination exist, method
     * known, argument/payload/destination shape, permission hooks, then the method.
     *
     * @param request the call
     * @return the success payload
     * @throws io.bulkhead.core.domains.QubesException (subclasses, {@link ProtocolError},
     *         {@link io.bulkhead.core.domains.PermissionDenied}) naming what is wrong
     */
    String call(AdminRequest request);
}
