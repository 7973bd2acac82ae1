package io.bulkhead.hal.hyperv.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A tokenizer for the part of PowerShell's syntax that decides where a string literal ends and
 * code begins, written from the language specification for checking generated scripts:
 *
 * <ul>
 * <li>single-quoted literals: delimited by any of ' U+2018 U+2019 U+201A U+201B; inside, two
 *     single-quote characters in a row stand for one (the second is kept), nothing else is
 *     special: no {@code $}, no backtick, no double quote;</li>
 * <li>double-quoted (expandable) strings: any of " U+201C U+201D U+201E; backtick escapes the
 *     next character, a doubled quote is a quote, {@code $( )} nests code;</li>
 * <li>here-strings {@code @' ... '@} and {@code @" ... "@};</li>
 * <li>outside strings: backtick escapes (backtick-newline continues the line), {@code #} and
 *     {@code <# #>} comments, variables ({@code $x}, {@code ${any}}, {@code @splat}), parameters
 *     and operators starting with any dash (- U+2013 U+2014 U+2015), numbers, barewords,
 *     punctuation, statement separators (newline, {@code ;}) and pipes.</li>
 * </ul>
 * It rejects what PowerShell's parser would reject at this level: unterminated strings and
 * unbalanced brackets.
 */
final class PowerShellTokenizer {

    enum Kind { STRING, EXPANDABLE_STRING, HERE_STRING, VARIABLE, PARAMETER, NUMBER, WORD, OPERATOR, NEWLINE, ESCAPE }

    /** @param text source text, or for {@link Kind#STRING} the literal's value */
    record Token(Kind kind, String text) {
        @Override
        public String toString() {
            return kind + "(" + text.replace("\n", "\\n") + ")";
        }
    }

    static final class SyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }

    private final String src;
    private int pos;
    private final List<Token> tokens = new ArrayList<>();

    private PowerShellTokenizer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String script) {
        PowerShellTokenizer t = new PowerShellTokenizer(script);
        t.run();
        t.checkBrackets();
        return List.copyOf(t.tokens);
    }

    static boolean isSingleQuote(char c) {
        return c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B';
    }

    static boolean isDoubleQuote(char c) {
        return c == '"' || c == '\u201C' || c == '\u201D' || c == '\u201E';
    }

    static boolean isDash(char c) {
        return c == '-' || c == '\u2013' || c == '\u2014' || c == '\u2015';
    }

    private void run() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '\r' || c == '\n') {
                pos += c == '\r' && peek(1) == '\n' ? 2 : 1;
                add(Kind.NEWLINE, "\n");
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                pos++;
            } else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') {
                    pos++;
                }
            } else if (c == '<' && peek(1) == '#') {
                int end = src.indexOf("#>", pos + 2);
                if (end < 0) {
                    throw new SyntaxError("unterminated block comment at " + pos);
                }
                pos = end + 2;
            } else if (c == '`') {
                if (pos + 1 >= src.length()) {
                    throw new SyntaxError("backtick at end of script");
                }
                char next = src.charAt(pos + 1);
                pos += 2;
                if (next == '\r' && peek(0) == '\n') {
                    pos++;
                }
                if (next != '\n' && next != '\r') {
                    add(Kind.ESCAPE, String.valueOf(next));
                }
            } else if (isSingleQuote(c)) {
                pos++;
                add(Kind.STRING, singleQuoted());
            } else if (isDoubleQuote(c)) {
                int start = pos;
                pos++;
                doubleQuoted();
                add(Kind.EXPANDABLE_STRING, src.substring(start, pos));
            } else if (c == '@' && (isSingleQuote(peek(1)) || isDoubleQuote(peek(1))) && isLineBreakAfter(pos + 2)) {
                hereString();
            } else if (c == '@' && (peek(1) == '(' || peek(1) == '{')) {
                add(Kind.OPERATOR, src.substring(pos, pos + 2));
                pos += 2;
            } else if (c == '@' && isNameChar(peek(1))) {
                int start = pos++;
                while (pos < src.length() && isNameChar(src.charAt(pos))) {
                    pos++;
                }
                add(Kind.VARIABLE, src.substring(start, pos));
            } else if (c == '$') {
                variable();
            } else if (isDash(c) && (Character.isLetter(peek(1)) || peek(1) == '_')) {
                int start = pos++;
                while (pos < src.length() && (isNameChar(src.charAt(pos)) || src.charAt(pos) == '?')) {
                    pos++;
                }
                if (pos < src.length() && src.charAt(pos) == ':' && peek(1) != ':') {
                    pos++;
                }
                add(Kind.PARAMETER, src.substring(start, pos));
            } else if (Character.isDigit(c)) {
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '.')) {
                    pos++;
                }
                add(Kind.NUMBER, src.substring(start, pos));
            } else if (c == ':' && peek(1) == ':') {
                add(Kind.OPERATOR, "::");
                pos += 2;
            } else if ("(){}[];,|&=!+*/%<>.".indexOf(c) >= 0 || isDash(c)) {
                add(Kind.OPERATOR, String.valueOf(c));
                pos++;
            } else {
                int start = pos;
                while (pos < src.length() && isWordChar(src.charAt(pos))) {
                    pos++;
                }
                if (pos == start) {
                    pos++;
                }
                add(Kind.WORD, src.substring(start, pos));
            }
        }
    }

    private String singleQuoted() {
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= src.length()) {
                throw new SyntaxError("string literal is missing its terminator");
            }
            char c = src.charAt(pos++);
            if (isSingleQuote(c)) {
                if (pos < src.length() && isSingleQuote(src.charAt(pos))) {
                    c = src.charAt(pos++);
                } else {
                    return value.toString();
                }
            }
            value.append(c);
        }
    }

    private void doubleQuoted() {
        while (true) {
            if (pos >= src.length()) {
                throw new SyntaxError("expandable string is missing its terminator");
            }
            char c = src.charAt(pos++);
            if (c == '`') {
                pos++;
            } else if (isDoubleQuote(c)) {
                if (pos < src.length() && isDoubleQuote(src.charAt(pos))) {
                    pos++;
                } else {
                    return;
                }
            } else if (c == '$' && pos < src.length() && src.charAt(pos) == '(') {
                pos++;
                skipNested(')');
            }
        }
    }

    /** Skips code up to the bracket closing a {@code $(} inside an expandable string. */
    private void skipNested(char close) {
        int depth = 1;
        while (depth > 0) {
            if (pos >= src.length()) {
                throw new SyntaxError("subexpression is missing its ')'");
            }
            char c = src.charAt(pos);
            if (isSingleQuote(c)) {
                pos++;
                singleQuoted();
            } else if (isDoubleQuote(c)) {
                pos++;
                doubleQuoted();
            } else {
                if (c == '(') {
                    depth++;
                } else if (c == close) {
                    depth--;
                }
                pos++;
            }
        }
    }

    private void hereString() {
        char quote = src.charAt(pos + 1);
        boolean literal = isSingleQuote(quote);
        pos += 2;
        int bodyStart = pos;
        while (true) {
            int nl = nextLineBreak(pos);
            if (nl < 0) {
                throw new SyntaxError("here-string is missing its terminator");
            }
            int lineStart = nl + (src.charAt(nl) == '\r' && nl + 1 < src.length() && src.charAt(nl + 1) == '\n' ? 2 : 1);
            if (lineStart + 1 < src.length() && (literal ? isSingleQuote(src.charAt(lineStart))
                    : isDoubleQuote(src.charAt(lineStart))) && src.charAt(lineStart + 1) == '@') {
                add(Kind.HERE_STRING, src.substring(bodyStart, nl));
                pos = lineStart + 2;
                return;
            }
            pos = lineStart;
        }
    }

    private void variable() {
        int start = pos++;
        char c = peek(0);
        if (c == '{') {
            while (pos < src.length() && src.charAt(pos) != '}') {
                pos += src.charAt(pos) == '`' ? 2 : 1;
            }
            if (pos >= src.length()) {
                throw new SyntaxError("braced variable name is missing its '}'");
            }
            pos++;
        } else if (c == '(') {
            pos++;
            add(Kind.OPERATOR, "$(");
            return;
        } else if (c == '_' || c == '?' || c == '$' || c == '^') {
            pos++;
            while (c == '_' && pos < src.length() && isNameChar(src.charAt(pos))) {
                pos++;
            }
        } else if (isNameChar(c)) {
            while (pos < src.length() && (isNameChar(src.charAt(pos))
                    || (src.charAt(pos) == ':' && peek(1) != ':' && isNameChar(peek(1))))) {
                pos++;
            }
        } else {
            add(Kind.WORD, "$");
            return;
        }
        add(Kind.VARIABLE, src.substring(start, pos));
    }

    private void checkBrackets() {
        StringBuilder stack = new StringBuilder();
        for (Token t : tokens) {
            if (t.kind() != Kind.OPERATOR) {
                continue;
            }
            String op = t.text();
            char last = op.charAt(op.length() - 1);
            if (last == '(' || last == '{' || last == '[') {
                stack.append(last);
            } else if (op.equals(")") || op.equals("}") || op.equals("]")) {
                char open = op.equals(")") ? '(' : op.equals("}") ? '{' : '[';
                if (stack.length() == 0 || stack.charAt(stack.length() - 1) != open) {
                    throw new SyntaxError("unbalanced '" + op + "'");
                }
                stack.setLength(stack.length() - 1);
            }
        }
        if (stack.length() > 0) {
            throw new SyntaxError("unclosed '" + stack + "'");
        }
    }

    private boolean isLineBreakAfter(int index) {
        int i = index;
        while (i < src.length() && (src.charAt(i) == ' ' || src.charAt(i) == '\t')) {
            i++;
        }
        return i < src.length() && (src.charAt(i) == '\n' || src.charAt(i) == '\r');
    }

    private int nextLineBreak(int from) {
        for (int i = from; i < src.length(); i++) {
            if (src.charAt(i) == '\n' || src.charAt(i) == '\r') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static boolean isWordChar(char c) {
        return !(Character.isWhitespace(c) || Character.isSpaceChar(c) || "(){}[];,|&=!+*/%<>'\"`$@#".indexOf(c) >= 0
                || isSingleQuote(c) || isDoubleQuote(c));
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < src.length() ? src.charAt(i) : '\0';
    }

    private void add(Kind kind, String text) {
        tokens.add(new Token(kind, text));
    }
}
