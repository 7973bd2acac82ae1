package io.bulkhead.hal.hyperv.internal;

/**
 * Turns any value into a PowerShell single-quoted string literal that evaluates to exactly that
 * value. Inside single quotes PowerShell expands nothing (no {@code $}, no backtick escapes, no
 * double quotes); the only special characters are the quotes themselves, and PowerShell accepts
 * four Unicode look-alikes as single quotes too (U+2018, U+2019, U+201A, U+201B): any of them
 * opens or closes the literal, and two in a row stand for one. So each of the five is doubled.
 */
final class PowerShellQuoting {

    private PowerShellQuoting() {
    }

    /** @return whether PowerShell's tokenizer treats {@code c} as a single quote */
    static boolean isSingleQuote(char c) {
        return c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B';
    }

    /**
     * @param what  names the value in the error message (e.g. "VM name")
     * @param value any text
     * @return {@code value} as a single-quoted literal
     * @throws IllegalArgumentException for a NUL character (PowerShell's tokenizer takes it for
     *                                  the end of the script) or an unpaired UTF-16 surrogate
     *                                  (cannot survive the UTF-8 transport unchanged)
     */
    static String literal(String what, String value) {
        StringBuilder out = new StringBuilder(value.length() + 8).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new IllegalArgumentException(what + " contains a NUL character at index " + i + ": " + visible(value));
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw new IllegalArgumentException(what + " contains an unpaired UTF-16 surrogate at index " + i
                            + ": " + visible(value));
                }
                out.append(c).append(value.charAt(++i));
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired UTF-16 surrogate at index " + i + ": "
                        + visible(value));
            }
            if (isSingleQuote(c)) {
                out.append(c);
            }
            out.append(c);
        }
        return out.append('\'').toString();
    }

    /** The value with control characters shown as escapes, for error messages. */
    static String visible(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(120).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || (cp >= 0xD800 && cp <= 0xDFFF)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return "'" + out + (value.codePointCount(0, value.length()) > 120 ? "...'" : "'");
    }
}
