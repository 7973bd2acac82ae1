package io.bulkhead.hal.hyperv.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Strings built to break out of PowerShell quoting: every quote PowerShell knows (ASCII and the
 * Unicode look-alikes, single and double), backtick, {@code $} and {@code $(}, statement
 * separators, pipes, comments, here-string markers, dashes, wildcards, line breaks, non-BMP
 * characters, ready-made injections, mixed with arbitrary text.
 */
final class HostileStrings {

    private static final String[] FRAGMENTS = {
        "'", "\u2018", "\u2019", "\u201A", "\u201B", "''", "'\u2019", "\"", "\u201C", "\u201D", "\u201E", "`", "`'",
        "$", "$(", "${", "$env:TEMP", "@(", "@{", ";", "|", "&", "&&", "\n", "\r\n", "\r", "#", "<#", "#>", "@'", "'@",
        "@\"", "\"@", "{", "}", "(", ")", "[", "]", "*", "?", "-", "\u2013", "\u2014", "\u2015", "\u00a0", "\\", "/",
        "..", "C:\\Windows", "\\\\server\\share", "%", "\t", " ", "work", "sys-net", "\uD83D\uDE00",
        "' ; Remove-Item -Recurse -Force C:\\ ; '", "\u2018;Stop-Computer -Force;\u2019", "'+(Stop-Computer)+'",
        "`'; Stop-Computer #", "\u201B) | Out-Null; Restart-Computer; (\u201A", "-Force", "$true"};

    private HostileStrings() {
    }

    /** Hostile non-empty values without NUL or unpaired surrogates: the quoting must carry them exactly. */
    static Arbitrary<String> values() {
        Arbitrary<String> fragment = Arbitraries.of(FRAGMENTS);
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(6)
                .filter(s -> s.indexOf('\0') < 0 && !hasUnpairedSurrogate(s));
        return Arbitraries.oneOf(fragment, fragment, text).list().ofMinSize(1).ofMaxSize(8)
                .map(parts -> String.join("", parts))
                // empty means "not set" for some settings; the empty literal is covered by the unit tests
                .filter(s -> !s.isEmpty());
    }

    /** Values PowerShell cannot carry: a NUL or an unpaired surrogate somewhere. */
    static Arbitrary<String> unquotable() {
        Arbitrary<String> bad = Arbitraries.of("\0", "\uD800", "\uDFFF", "a\uDBFFb");
        return net.jqwik.api.Combinators.combine(values(), bad, values()).as((a, b, c) -> a + b + c);
    }

    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
