package io.bulkhead.core.admin;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One Admin API call: {@code method+argument source dest-type dest NUL payload} on the wire.
 *
 * @param method      method name, e.g. {@code admin.vm.property.Get}
 * @param argument    the part after the first {@code +}; {@code ""} when absent
 * @param source      calling qube ({@code dom0} for the local socket)
 * @param destination destination qube; the keyword {@code adminvm} is already resolved to {@code dom0}
 * @param payload     payload bytes, possibly empty
 */
public record AdminRequest(String method, String argument, String source, String destination, byte[] payload) {

    public AdminRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(argument, "argument");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        payload = payload == null ? new byte[0] : payload.clone();
    }

    /** @return the payload bytes (a copy) */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** @return the payload decoded as strict UTF-8 */
    public String payloadText() {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(payload)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ProtocolError("payload of " + method + " is not valid UTF-8");
        }
    }

    /** @return whether the destination is the admin qube */
    public boolean toAdminVm() {
        return "dom0".equals(destination);
    }
}
