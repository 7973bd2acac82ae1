package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.RuleLocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns one rule line into a {@link Rule}, checking it in the same order and with the same
 * messages as Qubes' {@code Rule.__init__} (reference a.2, a.3, a.5, a.9).
 */
final class RuleParser {
    private RuleParser() {
    }

    /** {@code SERVICE ARGUMENT SOURCE TARGET ACTION [KEY=VALUE ...]} (R4.1+ syntax). */
    static Rule parseLine(String line, RuleLocation location) throws PolicySyntaxException {
        List<String> fields = PyText.split(line);
        if (fields.size() < 5) {
            throw new PolicySyntaxException("wrong number of fields");
        }
        return build(fields.get(0), fields.get(1), fields.get(2), fields.get(3), fields.get(4),
                fields.subList(5, fields.size()), location);
    }

    /**
     * {@code SOURCE TARGET ACTION[,K=V...] [K=V ...]}: the old per-service syntax of
     * {@code !include-service} files, after the {@code $}/{@code ,} substitutions.
     */
    static Rule parseServiceLine(String service, String argument, String line, RuleLocation location)
            throws PolicySyntaxException {
        List<String> fields = PyText.split(line);
        List<String> actionAndParams = new ArrayList<>();
        for (int i = 2; i < fields.size(); i++) {
            for (String part : fields.get(i).split(",", -1)) {
                actionAndParams.add(part);
            }
        }
        if (fields.size() < 2 || actionAndParams.isEmpty()) {
            throw new PolicySyntaxException("wrong number of fields");
        }
        return build(service, argument, fields.get(0), fields.get(1), actionAndParams.get(0),
                actionAndParams.subList(1, actionAndParams.size()), location);
    }

    /** Service and argument columns; {@code *} becomes {@code null} (reference a.3). */
    static String[] validateServiceAndArgument(String service, String argument) throws PolicySyntaxException {
        String svc = "*".equals(service) ? null : service;
        if (svc != null) {
            TreeSet<String> bad = invalidCharacters(svc, true);
            if (!bad.isEmpty()) {
                throw new PolicySyntaxException("service " + PyText.repr(svc)
                        + " contains invalid characters: " + PyText.reprTuple(bad));
            }
        }
        String arg = "*".equals(argument) ? null : argument;
        if (arg != null) {
            TreeSet<String> bad = invalidCharacters(arg, false);
            if (!bad.isEmpty()) {
                throw new PolicySyntaxException("argument " + PyText.repr(arg)
                        + " contains invalid characters: " + PyText.reprTuple(bad));
            }
            if (!arg.startsWith("+")) {
                throw new PolicySyntaxException("argument " + PyText.repr(arg) + " does not start with +");
            }
            if (svc == null) {
                throw new PolicySyntaxException("only * argument allowed for * service");
            }
        }
        return new String[] {svc, arg};
    }

    /** {@code A-Z a-z 0-9 + - . _} (qrexec's RPC name set), optionally without {@code +}. */
    static boolean isRpcNameChar(int c, boolean plusAllowed) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || (plusAllowed && c == '+');
    }

    /** Offending characters in code point order, as Qubes sorts them. */
    static TreeSet<String> invalidCharacters(String s, boolean forbidPlus) {
        TreeSet<String> bad = new TreeSet<>((a, b) -> Integer.compare(a.codePointAt(0), b.codePointAt(0)));
        s.codePoints().filter(c -> !isRpcNameChar(c, !forbidPlus))
                .forEach(c -> bad.add(new String(Character.toChars(c))));
        return bad;
    }

    private static Rule build(String service, String argument, String sourceText, String targetText,
            String actionText, List<String> params, RuleLocation location) throws PolicySyntaxException {
        String[] serviceAndArgument = validateServiceAndArgument(service, argument);
        Token source = Token.parse(sourceText, Column.SOURCE);
        Token target = Token.parse(targetText, Column.TARGET);
        Action action = Action.fromKeyword(actionText);
        if (action == null) {
            throw new PolicySyntaxException("invalid action: " + actionText);
        }

        Map<String, String> values = new HashMap<>();
        for (String param : params) {
            int eq = param.indexOf('=');
            if (eq < 0) {
                throw new PolicySyntaxException("invalid action parameter syntax: " + PyText.repr(param));
            }
            String key = param.substring(0, eq);
            if (values.putIfAbsent(key, param.substring(eq + 1)) != null) {
                throw new PolicySyntaxException("parameter given twice: " + PyText.repr(key));
            }
        }
        Boolean notify = yesNo(values, "notify");
        Boolean autostart = yesNo(values, "autostart");
        if (!action.parameters.containsAll(values.keySet())) {
            throw new PolicySyntaxException("invalid parameters for action " + action.displayName
                    + ": " + PyText.reprList(params));
        }
        Token redirect = redirect(values.get("target"));
        Token defaultTarget = redirect(values.get("default_target"));
        if (target.kind == TokenKind.DEFAULT && action == Action.ALLOW && redirect == null) {
            throw new PolicySyntaxException("allow action for @default rule must specify target= option");
        }
        String user = values.get("user");
        return new Rule(serviceAndArgument[0], serviceAndArgument[1], source, target, action, redirect,
                defaultTarget, user == null || user.isEmpty() ? null : user,
                notify != null ? notify : action == Action.DENY,
                autostart == null || autostart, location);
    }

    private static Boolean yesNo(Map<String, String> values, String key) throws PolicySyntaxException {
        String value = values.get(key);
        if (value == null) {
            return null;
        }
        if (!value.equals("yes") && !value.equals("no")) {
            throw new PolicySyntaxException(PyText.repr(key) + " is " + PyText.repr(value)
                    + ", but can be only 'yes' or 'no'");
        }
        return value.equals("yes");
    }

    private static Token redirect(String value) throws PolicySyntaxException {
        return value == null ? null : Token.parse(value, Column.REDIRECT);
    }
}
