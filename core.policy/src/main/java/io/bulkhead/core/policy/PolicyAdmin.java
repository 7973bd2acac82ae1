package io.bulkhead.core.policy;

import io.bulkhead.core.policy.internal.DirectoryPolicyAdmin;

import java.nio.file.Path;
import java.util.List;

/**
 * Policy administration as Qubes' {@code policy.*} / {@code policy.include.*} Admin API
 * methods: list, get, replace and remove files of one writable policy directory, with tokens
 * for optimistic locking. Every change is validated first (the directory, with the change
 * applied, must load without error) and written atomically (temporary file, fsync, rename).
 */
public interface PolicyAdmin {

    /** Token that only accepts a file that does not exist yet. */
    String NEW = "new";
    /** Token that skips the check. */
    String ANY = "any";

    /** Which files a name refers to. */
    enum Scope {
        /** {@code DIR/NAME.policy}, loaded as top-level policy ({@code policy.*}). */
        POLICY,
        /** {@code DIR/include/NAME}, pulled in by {@code !include*} ({@code policy.include.*}). */
        INCLUDE
    }

    /** Sorted names (without {@code .policy} for {@link Scope#POLICY}). */
    List<String> list(Scope scope) throws PolicyAdminException;

    PolicyFile get(Scope scope, String name) throws PolicyAdminException;

    /**
     * Writes a file.
     *
     * @param token {@code sha256:<hex>} of the current content, {@link #NEW} or {@link #ANY}
     */
    void replace(Scope scope, String name, String token, String content) throws PolicyAdminException;

    void remove(Scope scope, String name, String token) throws PolicyAdminException;

    /**
     * {@code policy.GetFiles}: the files holding rules that may apply to {@code service} (names
     * without suffix for files inside the directory, full paths otherwise), in policy order.
     */
    List<String> filesFor(String service) throws PolicyAdminException;

    /** The token of a file content: {@code sha256:<hex>} of its bytes. */
    static String tokenOf(byte[] content) {
        return DirectoryPolicyAdmin.tokenOf(content);
    }

    /** Administration of {@code directory}; {@code legacyDir} feeds {@code !compat-4.0} during validation. */
    static PolicyAdmin forDirectory(Path directory, Path legacyDir) {
        return new DirectoryPolicyAdmin(directory, legacyDir, () -> { });
    }
}
