package io.bulkhead.hal.xen.internal;

import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The string layer of xl.cfg, as Xen's own parser (libxlutil) reads it.
 *
 * <p>Facts from libxlutil's lexer and {@code xlu__cfgl_dequote}: a string is {@code "..."} or
 * {@code '...'} on one line; inside it a backslash escapes {@code " ' \} and the C letters
 * {@code a b f n r t v}; the numeric escapes ({@code \x..}, {@code \0..}) are broken in libxlutil
 * (the character is dropped), so control characters cannot be carried reliably. Every other byte,
 * UTF-8 included, is taken literally. Hence: double-quote, escape {@code \} and {@code "}, and
 * reject control characters, which no value Bulkhead writes (names, paths, kernel options, MACs)
 * legitimately contains.
 */
final class XlSyntax {

    private XlSyntax() {
    }

    /**
     * @param what  what the value is, for the error message (e.g. "kernel options of domain work")
     * @param value the value
     * @return {@code value} as a double-quoted xl.cfg string literal
     * @throws IllegalArgumentException naming {@code what} and the offending character when the
     *                                  value cannot be represented
     */
    static String quote(String what, String value) {
        requireRepresentable(what, value);
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '"') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    /** @return {@code [ "a", "b" ]}, each element quoted with {@link #quote} */
    static String list(String what, List<String> values) {
        if (values.isEmpty()) {
            return "[ ]";
        }
        return values.stream().map(v -> quote(what, v)).collect(Collectors.joining(", ", "[ ", " ]"));
    }

    /**
     * Checks that a value survives an xl.cfg string literal unchanged: no control characters
     * (U+0000-U+001F, U+007F) and valid Unicode (no lone surrogates, which UTF-8 cannot encode).
     */
    static void requireRepresentable(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " contains the control character U+"
                        + String.format("%04X", (int) c) + " at index " + i + ": xl.cfg strings cannot carry it");
            }
        }
        CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder();
        if (!utf8.canEncode(value)) {
            throw new IllegalArgumentException(what + " is not valid Unicode (lone surrogate): it cannot be written "
                    + "to xl.cfg as UTF-8");
        }
    }
}
