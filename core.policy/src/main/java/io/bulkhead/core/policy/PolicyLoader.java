package io.bulkhead.core.policy;

import io.bulkhead.core.policy.internal.Policies;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loads policies. Loading never throws for bad content: problems end up in
 * {@link Policy#errors()} and make the policy deny everything.
 */
public final class PolicyLoader {
    private PolicyLoader() {
    }

    /**
     * Loads ordered policy directories, as Qubes loads {@code /run/qubes/policy.d} then
     * {@code /etc/qubes/policy.d}: considered files are the regular {@code *.policy} files not
     * starting with a dot; a name in an earlier directory hides the same name in later ones; all
     * files are read in byte-wise name order into one rule list. {@code !compat-4.0} imports
     * nothing.
     */
    public static Policy load(List<Path> policyDirs) {
        return load(policyDirs, null);
    }

    /**
     * As {@link #load(List)}, with {@code legacyDir} (Qubes: {@code /etc/qubes-rpc/policy}) as
     * the source of {@code !compat-4.0}; {@code null} for none.
     */
    public static Policy load(List<Path> policyDirs, Path legacyDir) {
        Objects.requireNonNull(policyDirs, "policyDirs");
        return Policies.fromDirectories(policyDirs, legacyDir);
    }

    /**
     * A policy from text, for tests and tools: {@code files.get(mainName)} is the whole policy;
     * {@code !include NAME} pulls {@code files.get(NAME)}.
     */
    public static Policy fromStrings(String mainName, Map<String, String> files) {
        return Policies.fromStrings(mainName, files);
    }
}
