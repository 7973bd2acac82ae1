package io.bulkhead.core.qrexec.protocol;

import java.nio.charset.StandardCharsets;

/** NUL-terminated and NUL-padded C strings inside payloads (ASCII names are read as Latin-1). */
final class CStrings {
    private CStrings() {
    }

    /**
     * A fixed field read as the daemon does ({@code ENSURE_NULL_TERMINATED} then {@code strlen}):
     * the last byte counts as NUL, the string ends at the first NUL.
     */
    static String fixedField(byte[] b, int off, int size) {
        int end = off;
        int limit = off + size - 1;
        while (end < limit && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code s} into a fixed NUL-padded field; the caller checks that it fits. */
    static void putFixed(byte[] dst, int off, int size, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length >= size) {
            throw new IllegalArgumentException("'" + s + "' does not fit a " + size + "-byte field (max " + (size - 1) + ")");
        }
        System.arraycopy(bytes, 0, dst, off, bytes.length);
    }

    /** @return offset of the first NUL in {@code b[off, end)}, or -1 */
    static int indexOfNul(byte[] b, int off, int end) {
        for (int i = off; i < end; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
