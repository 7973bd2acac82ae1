package io.bulkhead.core.admin.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.internal.wire.RequestDecoder;
import io.bulkhead.core.admin.internal.wire.ResponseEncoder;
import io.bulkhead.core.qrexec.Dom0RpcCall;
import io.bulkhead.core.qrexec.Dom0RpcHandler;

/**
 * Admin API calls from qubes: qrexec delivers {@code admin.*} / {@code policy.*} services to dom0
 * only after the policy allowed them (Qubes' {@code /etc/qubes-rpc/admin.*} sockets). The caller is
 * the calling qube, the destination the target it asked for; stdin is the payload and stdout gets
 * qubesd's raw answer, as Qubes' remote qubesadmin client expects.
 */
final class AdminQrexecBridge implements Dom0RpcHandler {
    private static final Logger LOG = Logger.getLogger(AdminQrexecBridge.class.getName());

    private final AdminDispatcher dispatcher;
    private final EventStreamer events;
    private final VolumeImportStream imports;

    AdminQrexecBridge(AdminDispatcher dispatcher, EventStreamer events, VolumeImportStream imports) {
        this.dispatcher = dispatcher;
        this.events = events;
        this.imports = imports;
    }

    @Override
    public int handle(Dom0RpcCall call) throws IOException {
        if (VolumeImportStream.handles(call.serviceName())) {
            AdminRequest header = new AdminRequest(call.serviceName(), call.argument(), call.source(), destination(call), new byte[0]);
            call.stdout().write(imports.serve(header, call.stdin()));
            call.stdout().flush();
            return 0;
        }
        byte[] payload = readPayload(call.stdin());
        byte[] answer;
        if (payload == null) {
            answer = ResponseEncoder.error("ProtocolError", "request too large (limit " + RequestDecoder.MAX_REQUEST_BYTES + " bytes)");
        } else if (AdminDispatcher.EVENTS.equals(call.serviceName())) {
            AdminRequest request = new AdminRequest(call.serviceName(), call.argument(), call.source(), destination(call), payload);
            try {
                dispatcher.authorize(request);
            } catch (io.bulkhead.core.domains.QubesException e) {
                call.stdout().write(ResponseEncoder.error(e.qubesClass(), e.getMessage()));
                call.stdout().flush();
                return 0;
            }
            // the stream ends when the caller goes away: the next write fails
            events.stream(request, frame -> {
                call.stdout().write(frame);
                call.stdout().flush();
            }, () -> true);
            return 0;
        } else {
            AdminRequest request = new AdminRequest(call.serviceName(), call.argument(), call.source(), destination(call), payload);
            try {
                answer = dispatcher.respond(request);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "admin call " + call.descriptor() + " from " + call.source() + " failed unexpectedly", e);
                return 125;
            }
        }
        call.stdout().write(answer);
        call.stdout().flush();
        return 0;
    }

    /** {@code @adminvm} (keyword) and {@code dom0} both name the admin qube. */
    private static String destination(Dom0RpcCall call) {
        String target = call.requestedTarget();
        if ("keyword".equals(call.requestedTargetType()) || target.startsWith("@")) {
            return "dom0";
        }
        return target;
    }

    private static byte[] readPayload(InputStream in) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            payload.write(buffer, 0, read);
            if (payload.size() > RequestDecoder.MAX_REQUEST_BYTES) {
                return null;
            }
        }
        return payload.toByteArray();
    }

}
