package io.bulkhead.qvm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Python string habits the Qubes tools' messages depend on: {@code repr()}, fnmatch, textwrap, shlex.quote. */
public final class Texts {
    private static final Pattern SHELL_SAFE = Pattern.compile("[\\w@%+=:,./-]+");

    private Texts() {
    }

    /** Python's {@code repr(str)}: single quotes unless the text has one and no double quote. */
    public static String repr(String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(quote).toString();
    }

    /** @return whether {@code pattern} holds a shell wildcard, as qubesadmin checks before globbing qube names */
    public static boolean hasWildcard(String pattern) {
        for (char c : "*?[!]".toCharArray()) {
            if (pattern.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Python's {@code fnmatch.fnmatchcase}: {@code *}, {@code ?}, {@code [seq]}, {@code [!seq]}. */
    public static boolean fnmatch(String pattern, String name) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[' && pattern.indexOf(']', i + 2) > 0) {
                int close = pattern.indexOf(']', i + 2);
                String set = pattern.substring(i + 1, close);
                regex.append('[');
                if (set.startsWith("!")) {
                    regex.append('^');
                    set = set.substring(1);
                }
                regex.append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(name).matches();
    }

    /**
     * Python's {@code textwrap.fill}: text flowed to {@code width} columns with the given indents; runs of spaces
     * inside a line are kept (tools pad names with them), whitespace where a line breaks is dropped.
     */
    public static String wrap(String text, int width, String initialIndent, String subsequentIndent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(initialIndent);
        int indent = initialIndent.length();
        String pending = "";
        java.util.regex.Matcher tokens = Pattern.compile("\\s+|\\S+").matcher(text.replace('\n', ' ').replace('\t', ' '));
        while (tokens.find()) {
            String token = tokens.group();
            if (Character.isWhitespace(token.charAt(0))) {
                pending = line.length() > indent ? token : "";
                continue;
            }
            if (line.length() > indent && line.length() + pending.length() + token.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(subsequentIndent);
                indent = subsequentIndent.length();
                pending = "";
            }
            line.append(pending).append(token);
            pending = "";
        }
        lines.add(line.toString());
        return String.join("\n", lines);
    }

    /** Python's {@code '{:{width}s}'.format(text)}: left-aligned, padded with spaces. */
    public static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    /** Python's {@code shlex.quote}. */
    public static String shellQuote(String arg) {
        if (arg.isEmpty()) {
            return "''";
        }
        if (SHELL_SAFE.matcher(arg).matches()) {
            return arg;
        }
        return "'" + arg.replace("'", "'\"'\"'") + "'";
    }
}
