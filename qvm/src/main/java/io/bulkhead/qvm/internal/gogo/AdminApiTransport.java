package io.bulkhead.qvm.internal.gogo;

import java.nio.charset.StandardCharsets;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.qvm.client.AdminTransport;
import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.client.QubesdProtocol;

/** The Admin API in process, for the Gogo commands: same calls, same errors as over the socket, caller dom0. */
final class AdminApiTransport implements AdminTransport {
    private final AdminApi api;

    AdminApiTransport(AdminApi api) {
        this.api = api;
    }

    @Override
    public byte[] call(String destination, String method, String argument, byte[] payload) {
        // same header rules as on the socket, so that a call that works here works there
        QubesdProtocol.request(destination, method, argument, payload);
        try {
            return api.call(new AdminRequest(method, argument, "dom0", destination, payload)).getBytes(StandardCharsets.UTF_8);
        } catch (QubesException e) {
            throw new QubesCallException(e.qubesClass(), e.getMessage());
        } catch (RuntimeException e) {
            // qubesd answers nothing in this case; in process we can at least say what failed
            throw new QubesCallException(QubesCallException.DAEMON_ACCESS_ERROR, QubesdProtocol.EMPTY_RESPONSE + " (" + e + ")");
        }
    }
}
