package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyAdmin.Scope;
import io.bulkhead.core.policy.PolicyAdminException;
import io.bulkhead.core.policy.PolicyAdminException.Reason;
import io.bulkhead.core.policy.PolicyFile;
import io.bulkhead.core.policy.PolicyLoader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy administration API (Qubes policy.* / policy.include.*). */
class DirectoryPolicyAdminTest {
    private static final String USER_POLICY = "qubes.Gpg * work vault allow\n";

    @TempDir
    Path dir;

    private final AtomicInteger changes = new AtomicInteger();
    private PolicyAdmin admin;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(dir.resolve("30-user.policy"), USER_POLICY);
        Files.writeString(dir.resolve("90-default.policy"), "!include include/base\n* * @anyvm @anyvm deny\n");
        Files.createDirectories(dir.resolve("include"));
        Files.writeString(dir.resolve("include/base"), "qubes.Gpg * @anyvm @anyvm ask\n");
        Files.writeString(dir.resolve("README"), "not policy");
        admin = new DirectoryPolicyAdmin(dir, null, changes::incrementAndGet);
    }

    interface AdminCall {
        void run() throws Exception;
    }

    private static PolicyAdminException refused(Reason reason, AdminCall call) {
        PolicyAdminException e = assertThrows(PolicyAdminException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    private String token(String name) throws PolicyAdminException {
        return admin.get(Scope.POLICY, name).token();
    }

    private List<String> directoryEntries() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".policy-admin.lock"))
                    .sorted().collect(Collectors.toList());
        }
    }

    @Test
    void tokenIsSha256OfTheBytes() {
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                PolicyAdmin.tokenOf("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void listsAndGets() throws Exception {
        assertEquals(List.of("30-user", "90-default"), admin.list(Scope.POLICY));
        assertEquals(List.of("base"), admin.list(Scope.INCLUDE));
        PolicyFile file = admin.get(Scope.POLICY, "30-user");
        assertEquals(USER_POLICY, file.content());
        assertEquals(PolicyAdmin.tokenOf(USER_POLICY.getBytes(StandardCharsets.UTF_8)), file.token());
        assertEquals("qubes.Gpg * @anyvm @anyvm ask\n", admin.get(Scope.INCLUDE, "base").content());
        refused(Reason.NOT_FOUND, () -> admin.get(Scope.POLICY, "40-none"));
    }

    @Test
    void replaceWithTokensWritesAtomicallyAndNotifies() throws Exception {
        String updated = "qubes.Gpg * work vault deny\n";
        admin.replace(Scope.POLICY, "30-user", token("30-user"), updated);
        assertEquals(updated, Files.readString(dir.resolve("30-user.policy")));
        assertEquals(1, changes.get());
        admin.replace(Scope.POLICY, "40-new", PolicyAdmin.NEW, "* * work dom0 allow\n");
        admin.replace(Scope.POLICY, "40-new", PolicyAdmin.ANY, "* * work dom0 deny\n");
        assertEquals(3, changes.get());
        // no temporary file is left behind
        assertEquals(List.of("30-user.policy", "40-new.policy", "90-default.policy", "README", "include"),
                directoryEntries());
    }

    @Test
    void tokenMismatchesAreRefused() throws Exception {
        String stale = token("30-user");
        admin.replace(Scope.POLICY, "30-user", stale, "qubes.Gpg * work vault deny\n");
        refused(Reason.TOKEN_MISMATCH, () -> admin.replace(Scope.POLICY, "30-user", stale, USER_POLICY));
        refused(Reason.TOKEN_MISMATCH, () -> admin.replace(Scope.POLICY, "30-user", PolicyAdmin.NEW, USER_POLICY));
        refused(Reason.TOKEN_MISMATCH, () -> admin.replace(Scope.POLICY, "41-none", stale, USER_POLICY));
        refused(Reason.INVALID_TOKEN, () -> admin.replace(Scope.POLICY, "30-user", "md5:00", USER_POLICY));
        refused(Reason.TOKEN_MISMATCH, () -> admin.remove(Scope.POLICY, "30-user", stale));
        assertEquals(1, changes.get());
    }

    @Test
    void invalidCandidatePolicyIsRefusedAndNothingIsWritten() throws Exception {
        PolicyAdminException e = refused(Reason.VALIDATION_FAILED,
                () -> admin.replace(Scope.POLICY, "30-user", PolicyAdmin.ANY, "qubes.Gpg * work vault allow\nbroken\n"));
        assertEquals(2, e.errors().get(0).line());
        assertTrue(e.getMessage().startsWith("Policy change validation failed: "), e.getMessage());
        assertEquals(USER_POLICY, Files.readString(dir.resolve("30-user.policy")));
        // an include must keep existing: removing it, or including a missing file, fails validation
        refused(Reason.VALIDATION_FAILED, () -> admin.remove(Scope.INCLUDE, "base", PolicyAdmin.ANY));
        refused(Reason.VALIDATION_FAILED,
                () -> admin.replace(Scope.POLICY, "50-x", PolicyAdmin.NEW, "!include include/missing\n"));
        // an included file is validated through its includer
        refused(Reason.VALIDATION_FAILED, () -> admin.replace(Scope.INCLUDE, "base", PolicyAdmin.ANY, "bad\n"));
        assertEquals(0, changes.get());
        assertTrue(PolicyLoader.load(List.of(dir)).isValid());
    }

    @Test
    void includeFilesCanBeAddedThenUsed() throws Exception {
        admin.replace(Scope.INCLUDE, "Extra_rules", PolicyAdmin.NEW, "qubes.X * work vault allow\n");
        admin.replace(Scope.POLICY, "50-extra", PolicyAdmin.NEW, "!include include/Extra_rules\n");
        assertEquals(List.of("Extra_rules", "base"), admin.list(Scope.INCLUDE));
        assertEquals(List.of("Extra_rules", "90-default"), admin.filesFor("qubes.X"));
    }

    @Test
    void removeDeletes() throws Exception {
        admin.remove(Scope.POLICY, "30-user", token("30-user"));
        assertFalse(Files.exists(dir.resolve("30-user.policy")));
        refused(Reason.NOT_FOUND, () -> admin.remove(Scope.POLICY, "30-user", PolicyAdmin.ANY));
        assertEquals(1, changes.get());
    }

    @Test
    void namesAreRestricted() {
        // upper case would make the whole policy unloadable (reference d.4): refused for policy files
        refused(Reason.INVALID_NAME, () -> admin.replace(Scope.POLICY, "Foo", PolicyAdmin.NEW, ""));
        refused(Reason.INVALID_NAME, () -> admin.get(Scope.POLICY, "../etc"));
        refused(Reason.INVALID_NAME, () -> admin.get(Scope.POLICY, "a.b"));
        refused(Reason.INVALID_NAME, () -> admin.get(Scope.INCLUDE, ""));
        refused(Reason.INVALID_NAME, () -> admin.get(Scope.INCLUDE, "x/y"));
    }

    @Test
    void symlinkOutOfTheDirectoryIsRefused(@TempDir Path outside) throws Exception {
        Path target = Files.writeString(outside.resolve("x.policy"), "");
        Files.createSymbolicLink(dir.resolve("60-link.policy"), target);
        refused(Reason.INVALID_NAME, () -> admin.get(Scope.POLICY, "60-link"));
    }

    @Test
    void filesForService() throws Exception {
        assertEquals(List.of("30-user", "base", "90-default"), admin.filesFor("qubes.Gpg"));
        assertEquals(List.of("90-default"), admin.filesFor("qubes.Other"));
        refused(Reason.INVALID_NAME, () -> admin.filesFor(""));
        refused(Reason.INVALID_NAME, () -> admin.filesFor("a+b"));
    }
}
