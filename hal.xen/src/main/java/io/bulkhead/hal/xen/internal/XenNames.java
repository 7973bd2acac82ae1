package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.QubeNames;

/**
 * Domain names as this backend passes them to xl: as an xl.cfg string, inside vif/disk spec
 * strings ({@code backend=NAME}, where a comma would split the spec) and as a command-line
 * argument (where an all-digit name would be taken for a domid and a leading {@code -} for an
 * option). Qubes' name rule ({@link QubeNames}) excludes all of these, so it is the rule here too.
 */
final class XenNames {

    /** The name of the control domain, accepted as a backend domain of devices and network. */
    static final String DOM0 = "dom0";

    private XenNames() {
    }

    /**
     * @param role what the name is ("domain", "netvm of domain work", ...), for the message
     * @throws IllegalArgumentException if xl could misread the name
     */
    static String require(String role, String name) {
        if (name == null || !QubeNames.isValid(name)) {
            throw new IllegalArgumentException(role + " name '" + printable(name) + "' is not a valid qube name "
                    + "(letters, digits, '_', '.', '-', starting with a letter, at most " + QubeNames.MAX_LENGTH
                    + " characters): xl cannot be given it safely");
        }
        return name;
    }

    /** @return the name with control characters shown as {@code \\uXXXX}, for error messages */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(80).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        if (text.codePointCount(0, text.length()) > 80) {
            out.append("...");
        }
        return out.toString();
    }
}
