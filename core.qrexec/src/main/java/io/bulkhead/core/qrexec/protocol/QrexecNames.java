package io.bulkhead.core.qrexec.protocol;

/**
 * Name rules of qrexec: the character sets the daemon sanitises to, the ident charset, and the
 * split of {@code service+argument}.
 */
public final class QrexecNames {

    private QrexecNames() {
    }

    /** @return whether {@code c} is in {@code [A-Za-z0-9_.-]} (the base set of every name) */
    public static boolean isBaseNameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.';
    }

    /**
     * The daemon's {@code sanitize_name}: every character outside {@code [A-Za-z0-9_.-]} and
     * {@code extraAllowed} becomes {@code _}.
     */
    public static String sanitize(String name, String extraAllowed) {
        StringBuilder sb = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isBaseNameChar(c) && extraAllowed.indexOf(c) < 0) {
                if (sb == null) {
                    sb = new StringBuilder(name);
                }
                sb.setCharAt(i, '_');
            }
        }
        return sb == null ? name : sb.toString();
    }

    /** A requested service name ({@code svc[+arg]}) sanitised as the daemon does ({@code +} allowed). */
    public static String sanitizeServiceName(String name) {
        return sanitize(name, "+");
    }

    /** A target or source qube token sanitised as the daemon does ({@code @} and {@code :} allowed). */
    public static String sanitizeDomain(String name) {
        return sanitize(name, "@:");
    }

    /**
     * @return why a requested {@code svc[+arg]} is refused, or {@code null} if it is acceptable:
     *         empty, starting with {@code +}, a character outside {@code [A-Za-z0-9_.-+]}, or a
     *         service part longer than 255
     */
    public static String serviceRequestProblem(String serviceAndArgument) {
        if (serviceAndArgument.isEmpty()) {
            return "empty service name";
        }
        if (serviceAndArgument.charAt(0) == '+') {
            return "service name starts with '+'";
        }
        if (serviceAndArgument.length() >= MessageLimits.MAX_SERVICE_NAME_LEN) {
            return "service name longer than " + (MessageLimits.MAX_SERVICE_NAME_LEN - 1) + " bytes";
        }
        for (int i = 0; i < serviceAndArgument.length(); i++) {
            char c = serviceAndArgument.charAt(i);
            if (!isBaseNameChar(c) && c != '+') {
                return "invalid character '" + printable(c) + "' in service name";
            }
        }
        if (serviceName(serviceAndArgument).length() > MessageLimits.MAX_SERVICE_NAME_PART) {
            return "service name part longer than " + MessageLimits.MAX_SERVICE_NAME_PART;
        }
        return null;
    }

    /** @return the part before the first {@code +} (all of it when there is none) */
    public static String serviceName(String serviceAndArgument) {
        int plus = serviceAndArgument.indexOf('+');
        return plus < 0 ? serviceAndArgument : serviceAndArgument.substring(0, plus);
    }

    /** @return the part after the first {@code +} without it; empty when there is none */
    public static String argument(String serviceAndArgument) {
        int plus = serviceAndArgument.indexOf('+');
        return plus < 0 ? "" : serviceAndArgument.substring(plus + 1);
    }

    /** @return {@code svc+arg}, with the {@code +} the daemon adds when there is no argument */
    public static String descriptor(String serviceAndArgument) {
        return serviceAndArgument.indexOf('+') < 0 ? serviceAndArgument + "+" : serviceAndArgument;
    }

    /** @return whether {@code c} may appear in a request ident ({@code [0-9A-Za-z_.- ]}) */
    public static boolean isIdentChar(int c) {
        return isBaseNameChar(c) || c == ' ';
    }

    static String printable(int c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }
}
