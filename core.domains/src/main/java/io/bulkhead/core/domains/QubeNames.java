package io.bulkhead.core.domains;

import java.util.regex.Pattern;

/** Qube name rules of Qubes ({@code qubes.vm.validate_name}), checked in Qubes' order. */
public final class QubeNames {

    /** Longest accepted name. */
    public static final int MAX_LENGTH = 31;

    private static final Pattern BAD_START = Pattern.compile("\\A[0-9_.-].*\\z", Pattern.DOTALL);
    private static final Pattern VALID = Pattern.compile("\\A[a-zA-Z][a-zA-Z0-9_.-]*\\z");

    private QubeNames() {
    }

    /**
     * @throws QubesValueError naming the rule the name breaks: null/empty, longer than 31,
     *                         starting with a digit/{@code _}/{@code .}/{@code -}, other
     *                         characters than {@code [a-zA-Z0-9_.-]}, {@code Domain-0},
     *                         {@code none}, {@code default}, ending with {@code -dm}
     */
    public static void validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new QubesValueError("VM name must be a non-empty string");
        }
        if (name.length() > MAX_LENGTH) {
            throw new QubesValueError("VM name must be shorter than 32 characters: '" + name + "' has " + name.length());
        }
        if (BAD_START.matcher(name).matches()) {
            throw new QubesValueError("VM name cannot start with hyphen, underscore, dot or numbers: '" + name + "'");
        }
        if (!VALID.matcher(name).matches()) {
            throw new QubesValueError("VM name contains illegal characters (allowed: letters, digits, '_', '.', '-'): '" + name + "'");
        }
        if (name.equals("Domain-0")) {
            throw new QubesValueError("VM name cannot be 'Domain-0'");
        }
        if (name.equals("none") || name.equals("default")) {
            throw new QubesValueError("VM name cannot be 'none' or 'default'");
        }
        if (name.endsWith("-dm")) {
            throw new QubesValueError("VM name cannot end with '-dm' (reserved for stub domains): '" + name + "'");
        }
    }

    /** @return whether {@link #validate(String)} accepts the name */
    public static boolean isValid(String name) {
        try {
            validate(name);
            return true;
        } catch (QubesValueError e) {
            return false;
        }
    }
}
