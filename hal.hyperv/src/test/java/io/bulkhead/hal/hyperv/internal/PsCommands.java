package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Kind;
import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command invocations of a tokenized script: a bareword in command position (start of a
 * statement, after a pipe, an assignment or an opening bracket) with its named parameters. A
 * parameter's value is the next token: a string literal's value, a variable's or bareword's
 * text, {@code (...)} for a parenthesised expression, {@code null} for a switch.
 */
final class PsCommands {

    /** Language keywords: never command names. */
    private static final Set<String> KEYWORDS = Set.of("if", "else", "elseif", "foreach", "in", "throw", "try", "catch",
            "finally", "function", "while", "break", "continue", "return", "switch", "param");

    record Invocation(String name, Map<String, String> parameters) {
        boolean has(String parameter) {
            return parameters.containsKey(parameter);
        }

        String get(String parameter) {
            if (!parameters.containsKey(parameter)) {
                throw new AssertionError(name + " has no parameter " + parameter + ": " + parameters);
            }
            return parameters.get(parameter);
        }
    }

    private PsCommands() {
    }

    static List<Invocation> of(String script) {
        return of(PowerShellTokenizer.tokenize(script));
    }

    static List<Invocation> of(List<Token> tokens) {
        List<Invocation> out = new ArrayList<>();
        boolean commandPosition = true;
        java.util.ArrayDeque<String> brackets = new java.util.ArrayDeque<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.OPERATOR) {
                String op = t.text();
                char last = op.charAt(op.length() - 1);
                if (last == '(' || last == '{' || last == '[') {
                    brackets.push(op);
                } else if ((op.equals(")") || op.equals("}") || op.equals("]")) && !brackets.isEmpty()) {
                    brackets.pop();
                }
            }
            boolean inHashtable = "@{".equals(brackets.peek());
            if (commandPosition && !inHashtable && t.kind() == Kind.WORD && !KEYWORDS.contains(t.text().toLowerCase())
                    && Character.isLetter(t.text().charAt(0))) {
                i = invocation(tokens, i, out);
                commandPosition = false;
                continue;
            }
            commandPosition = t.kind() == Kind.NEWLINE || (t.kind() == Kind.OPERATOR
                    && Set.of(";", "|", "(", "{", "=", "@(", "$(", "&", "}").contains(t.text()));
            if (t.kind() == Kind.WORD && KEYWORDS.contains(t.text().toLowerCase())) {
                commandPosition = Set.of("throw", "else", "try", "return").contains(t.text().toLowerCase());
            }
        }
        return out;
    }

    /** @return the commands' names in order */
    static List<String> names(String script) {
        return of(script).stream().map(Invocation::name).toList();
    }

    private static int invocation(List<Token> tokens, int start, List<Invocation> out) {
        Map<String, String> parameters = new LinkedHashMap<>();
        int i = start + 1;
        while (i < tokens.size() && !ends(tokens.get(i))) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.PARAMETER) {
                String name = t.text().endsWith(":") ? t.text().substring(0, t.text().length() - 1) : t.text();
                if (i + 1 < tokens.size() && !ends(tokens.get(i + 1)) && tokens.get(i + 1).kind() != Kind.PARAMETER) {
                    Token value = tokens.get(i + 1);
                    if (value.kind() == Kind.OPERATOR && (value.text().equals("(") || value.text().equals("[")
                            || value.text().equals("@("))) {
                        int end = closing(tokens, i + 1);
                        parameters.put(name, value.text().equals("[") ? text(tokens, i + 1, end) : "(...)");
                        i = end + 1;
                        continue;
                    }
                    parameters.put(name, value.text());
                    i += 2;
                    continue;
                }
                parameters.put(name, null);
            } else if (t.kind() == Kind.OPERATOR && (t.text().equals("(") || t.text().equals("@(")
                    || t.text().equals("{"))) {
                i = closing(tokens, i);
            }
            i++;
        }
        out.add(new Invocation(tokens.get(start).text(), parameters));
        return start;
    }

    private static boolean ends(Token t) {
        return t.kind() == Kind.NEWLINE || (t.kind() == Kind.OPERATOR
                && Set.of(";", "|", ")", "}").contains(t.text()));
    }

    private static int closing(List<Token> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.OPERATOR) {
                String op = t.text();
                char last = op.charAt(op.length() - 1);
                if (last == '(' || last == '{' || last == '[') {
                    depth++;
                } else if (op.equals(")") || op.equals("}") || op.equals("]")) {
                    depth--;
                    if (depth == 0) {
                        return i;
                    }
                }
            }
        }
        return tokens.size() - 1;
    }

    private static String text(List<Token> tokens, int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i <= to; i++) {
            Token t = tokens.get(i);
            out.append(t.kind() == Kind.STRING ? "'" + t.text() + "'" : t.text());
        }
        return out.toString();
    }
}
