package io.bulkhead.core.qrexec.protocol;

import java.nio.charset.StandardCharsets;

/**
 * {@code struct service_params { char ident[32]; }}: the request id of a call, chosen by the
 * calling agent, carried by triggers, {@code MSG_SERVICE_CONNECT} and {@code MSG_SERVICE_REFUSED}.
 * At most 31 characters of {@code [0-9A-Za-z_.- ]}.
 */
public final class ServiceParams {

    private ServiceParams() {
    }

    /** @return the 32-byte {@code MSG_SERVICE_REFUSED} payload for {@code ident} */
    public static byte[] encode(String ident) {
        byte[] out = new byte[MessageLimits.IDENT_SIZE];
        putIdent(out, 0, ident);
        return out;
    }

    /** Decodes a {@code MSG_SERVICE_REFUSED} payload. */
    public static String decode(byte[] payload) throws ProtocolException {
        if (payload.length != MessageLimits.IDENT_SIZE) {
            throw new ProtocolException("service_params must be 32 bytes, got " + payload.length);
        }
        return readIdent(payload, 0, MessageLimits.IDENT_SIZE);
    }

    /** @return why {@code ident} is not a valid ident, or {@code null} */
    public static String identProblem(String ident) {
        if (ident.length() > MessageLimits.IDENT_SIZE - 1) {
            return "ident longer than 31 characters";
        }
        for (int i = 0; i < ident.length(); i++) {
            if (!QrexecNames.isIdentChar(ident.charAt(i))) {
                return "invalid character '" + QrexecNames.printable(ident.charAt(i)) + "' in ident";
            }
        }
        return null;
    }

    static void putIdent(byte[] dst, int off, String ident) {
        String problem = identProblem(ident);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": '" + ident + "'");
        }
        CStrings.putFixed(dst, off, MessageLimits.IDENT_SIZE, ident);
    }

    /** Reads an ident field as the daemon's {@code validate_request_id}: charset, NUL, NUL padding. */
    static String readIdent(byte[] b, int off, int size) throws ProtocolException {
        int nul = CStrings.indexOfNul(b, off, off + size);
        if (nul < 0) {
            throw new ProtocolException("ident has no NUL terminator");
        }
        for (int i = off; i < nul; i++) {
            if (!QrexecNames.isIdentChar(b[i] & 0xff)) {
                throw new ProtocolException("bad byte " + (b[i] & 0xff) + " at offset " + (i - off) + " in ident");
            }
        }
        for (int i = nul + 1; i < off + size; i++) {
            if (b[i] != 0) {
                throw new ProtocolException("non-NUL byte after the ident terminator at offset " + (i - off));
            }
        }
        return new String(b, off, nul - off, StandardCharsets.ISO_8859_1);
    }
}
