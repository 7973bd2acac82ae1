package io.bulkhead.core.policy;

import java.util.Objects;

/**
 * Where a rule was written.
 *
 * @param file the policy file, as a path built from the policy directory it was loaded from
 * @param line 1-based line number; 0 for the implicit deny rules that {@code !compat-4.0} adds
 */
public record RuleLocation(String file, int line) {
    public RuleLocation {
        Objects.requireNonNull(file, "file");
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file + " (implicit rule)";
    }
}
