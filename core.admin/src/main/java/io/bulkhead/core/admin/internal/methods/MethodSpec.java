package io.bulkhead.core.admin.internal.methods;

import java.util.Objects;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;

/**
 * What a method accepts (Qubes' {@code @api.method(no_payload=..., endpoints=...)} flags and the
 * {@code dest_adminvm} check) and who performs it.
 */
public record MethodSpec(String name, Rule argument, Rule payload, Destination destination, AdminMethod handler) {

    /** Whether an argument or payload must be absent, present or may be either. */
    public enum Rule { NONE, REQUIRED, OPTIONAL }

    /** Which destinations a method accepts. */
    public enum Destination { ADMIN_VM, QUBE, ANY }

    public MethodSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argument, "argument");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(handler, "handler");
    }

    /** Step 2 of qubesd's validation order: argument, payload and destination shape. */
    public void checkShape(AdminRequest request) {
        if (argument == Rule.NONE && !request.argument().isEmpty()) {
            throw new ProtocolError(name + ": unexpected argument");
        }
        if (argument == Rule.REQUIRED && request.argument().isEmpty()) {
            throw new ProtocolError(name + ": expected an argument");
        }
        int payloadLength = request.payload().length;
        if (payload == Rule.NONE && payloadLength > 0) {
            throw new ProtocolError(name + ": unexpected payload");
        }
        if (payload == Rule.REQUIRED && payloadLength == 0) {
            throw new ProtocolError(name + ": expected a payload");
        }
        if (destination == Destination.ADMIN_VM && !request.toAdminVm()) {
            throw new ProtocolError(name + ": expected destination to be AdminVM");
        }
        if (destination == Destination.QUBE && request.toAdminVm()) {
            throw new ProtocolError(name + ": expected destination to not be AdminVM");
        }
    }
}
