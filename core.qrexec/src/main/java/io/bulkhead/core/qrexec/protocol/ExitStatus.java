package io.bulkhead.core.qrexec.protocol;

/** Exit statuses a caller sees, and the {@code MSG_DATA_EXIT_CODE} payload. */
public final class ExitStatus {

    public static final int OK = 0;
    /** qrexec problem (Qubes' {@code QREXEC_EXIT_PROBLEM}). */
    public static final int PROBLEM = 125;
    /** Refused by policy or invalid request ({@code QREXEC_EXIT_REQUEST_REFUSED}). */
    public static final int REFUSED = 126;
    /** Allowed, but no such service in the target ({@code QREXEC_EXIT_SERVICE_NOT_FOUND}). */
    public static final int SERVICE_NOT_FOUND = 127;
    /** What a receiver assumes when the exit-code payload is shorter than 4 bytes. */
    public static final int SHORT_PAYLOAD = 255;

    private ExitStatus() {
    }

    /** @return the 4-byte little-endian {@code int32} payload */
    public static byte[] encode(int status) {
        byte[] b = new byte[4];
        LittleEndian.putInt(b, 0, status);
        return b;
    }

    /**
     * @return the status in a {@code MSG_DATA_EXIT_CODE} payload; 255 if shorter than 4 bytes
     *         (as Qubes does)
     */
    public static int decode(byte[] payload) {
        return payload.length < 4 ? SHORT_PAYLOAD : LittleEndian.getInt(payload, 0);
    }
}
