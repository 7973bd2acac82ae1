package io.bulkhead.core.qrexec.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A service call request from an agent: {@code trigger_service_params} (protocol 2, 128 bytes:
 * service[64], target[32], ident[32]), {@code trigger_service_params3} (target[64], ident[32],
 * then the NUL-terminated service name) or {@code trigger_service_params4} (source[64],
 * target[64], ident[32], service name).
 *
 * @param sourceDomain requested source for relays ({@code ""} for none; v4 only)
 * @param targetDomain target token as sent ({@code @default}, a name, {@code @dispvm:x}, ...)
 * @param ident        request id chosen by the calling agent
 * @param serviceName  {@code service[+argument]}
 */
public record TriggerServiceParams(String sourceDomain, String targetDomain, String ident, String serviceName) {

    /** @return the payload for message {@code type} (one of the three trigger types) */
    public byte[] encode(int type) {
        byte[] service = serviceName.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out;
        switch (type) {
            case MessageType.TRIGGER_SERVICE:
                out = new byte[MessageLimits.TRIGGER_V2_SIZE];
                CStrings.putFixed(out, 0, 64, serviceName);
                CStrings.putFixed(out, 64, 32, targetDomain);
                ServiceParams.putIdent(out, 96, ident);
                return out;
            case MessageType.TRIGGER_SERVICE3:
                checkServiceLength(service);
                out = new byte[MessageLimits.TRIGGER_V3_FIXED + service.length + 1];
                CStrings.putFixed(out, 0, 64, targetDomain);
                ServiceParams.putIdent(out, 64, ident);
                System.arraycopy(service, 0, out, MessageLimits.TRIGGER_V3_FIXED, service.length);
                return out;
            case MessageType.TRIGGER_SERVICE4:
                checkServiceLength(service);
                out = new byte[MessageLimits.TRIGGER_V4_FIXED + service.length + 1];
                CStrings.putFixed(out, 0, 64, sourceDomain);
                CStrings.putFixed(out, 64, 64, targetDomain);
                ServiceParams.putIdent(out, 128, ident);
                System.arraycopy(service, 0, out, MessageLimits.TRIGGER_V4_FIXED, service.length);
                return out;
            default:
                throw new IllegalArgumentException("not a trigger message type: " + MessageType.name(type));
        }
    }

    private static void checkServiceLength(byte[] service) {
        if (service.length + 1 > MessageLimits.MAX_SERVICE_NAME_LEN) {
            throw new IllegalArgumentException("service name longer than " + (MessageLimits.MAX_SERVICE_NAME_LEN - 1) + " bytes");
        }
        if (CStrings.indexOfNul(service, 0, service.length) >= 0) {
            throw new IllegalArgumentException("service name contains a NUL byte");
        }
    }

    /**
     * @return the trigger message type for a negotiated control-link version: 4 at version 4+,
     *         3 at version 3, the 128-byte form at version 2
     */
    public static int messageTypeFor(int version) {
        return version >= ProtocolVersion.V4 ? MessageType.TRIGGER_SERVICE4
                : version == ProtocolVersion.V3 ? MessageType.TRIGGER_SERVICE3 : MessageType.TRIGGER_SERVICE;
    }

    /**
     * Decodes and sanitises a trigger as qrexec-daemon does. Names are sanitised (bad characters
     * become {@code _}); a bad ident or service name does not throw but yields a {@link Decoded}
     * with a {@link Decoded#problem()}: the daemon refuses such a call and keeps the link.
     *
     * @throws ProtocolException if the size does not fit the type (checked by {@link MessageLimits})
     */
    public static Decoded decode(int type, byte[] p) throws ProtocolException {
        MessageLimits.check(type, p.length, ProtocolVersion.CURRENT);
        String source = "";
        String target;
        int identOff;
        String service;
        String problem = null;
        switch (type) {
            case MessageType.TRIGGER_SERVICE:
                service = CStrings.fixedField(p, 0, 64);
                target = CStrings.fixedField(p, 64, 32);
                identOff = 96;
                break;
            case MessageType.TRIGGER_SERVICE3:
            case MessageType.TRIGGER_SERVICE4:
                int fixed = type == MessageType.TRIGGER_SERVICE3 ? MessageLimits.TRIGGER_V3_FIXED : MessageLimits.TRIGGER_V4_FIXED;
                if (type == MessageType.TRIGGER_SERVICE4) {
                    source = CStrings.fixedField(p, 0, 64);
                    target = CStrings.fixedField(p, 64, 64);
                    identOff = 128;
                } else {
                    target = CStrings.fixedField(p, 0, 64);
                    identOff = 64;
                }
                int last = p.length - 1;
                int nul = CStrings.indexOfNul(p, fixed, last);
                if (p[last] != 0) {
                    problem = "service name not NUL-terminated";
                } else if (nul >= 0) {
                    problem = "service name contains a NUL byte at offset " + (nul - fixed);
                }
                service = new String(p, fixed, (nul >= 0 ? nul : last) - fixed, StandardCharsets.ISO_8859_1);
                break;
            default:
                throw new ProtocolException("not a trigger message: " + MessageType.name(type));
        }
        byte[] rawIdent = Arrays.copyOfRange(p, identOff, identOff + MessageLimits.IDENT_SIZE);
        String ident = null;
        try {
            ident = ServiceParams.readIdent(p, identOff, MessageLimits.IDENT_SIZE);
        } catch (ProtocolException e) {
            problem = e.getMessage();
        }
        if (problem == null && service.isEmpty()) {
            problem = "empty service name";
        } else if (problem == null && service.charAt(0) == '+') {
            problem = "service name starts with '+'";
        }
        TriggerServiceParams params = new TriggerServiceParams(QrexecNames.sanitizeDomain(source),
                QrexecNames.sanitizeDomain(target), ident == null ? "" : ident, QrexecNames.sanitizeServiceName(service));
        return new Decoded(params, rawIdent, problem);
    }

    /**
     * A decoded trigger.
     *
     * @param params   sanitised fields ({@code ident} empty if invalid)
     * @param rawIdent the ident field as received, for the refusal echo
     * @param problem  why the daemon must refuse the call, {@code null} if it may proceed
     */
    public record Decoded(TriggerServiceParams params, byte[] rawIdent, String problem) {
        public boolean isValid() {
            return problem == null;
        }

        /** @return the {@code MSG_SERVICE_REFUSED} payload echoing the received ident */
        public byte[] refusalPayload() {
            return rawIdent.clone();
        }
    }
}
