package io.bulkhead.core.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.bulkhead.core.admin.ProtocolError;
import io.bulkhead.core.domains.QubesException;

/** policy.* and policy.include.* over a real policy directory. */
class PolicyMethodsTest {
    private static final String RULES = "qubes.Filecopy * work @default ask default_target=personal\n";

    @TempDir
    Path dataDir;

    private AdminFixture admin;

    @BeforeEach
    void setUp() {
        admin = new AdminFixture(dataDir);
    }

    @Test
    void replaceGetListRemoveWithTokens() throws Exception {
        admin.call("policy.Replace", "30-user", "dom0", "new\n" + RULES);
        assertEquals(RULES, Files.readString(admin.policyDir.resolve("30-user.policy")));
        assertEquals("30-user\n", admin.call("policy.List", "", "dom0", ""));

        String got = admin.call("policy.Get", "30-user", "dom0", "");
        String token = got.substring(0, got.indexOf('\n'));
        assertTrue(token.startsWith("sha256:"), token);
        assertEquals(RULES, got.substring(got.indexOf('\n') + 1));

        QubesException stale = assertThrows(QubesException.class,
                () -> admin.call("policy.Replace", "30-user", "dom0", "new\n" + RULES));
        assertEquals("PolicyAdminException", stale.qubesClass());

        admin.call("policy.Remove", "30-user", "dom0", token);
        assertFalse(Files.exists(admin.policyDir.resolve("30-user.policy")));
        assertEquals("", admin.call("policy.List", "", "dom0", ""));
    }

    @Test
    void anInvalidPolicyIsNeverWritten() throws Exception {
        admin.call("policy.Replace", "30-user", "dom0", "new\n" + RULES);
        QubesException invalid = assertThrows(QubesException.class,
                () -> admin.call("policy.Replace", "30-user", "dom0", "any\nqubes.Filecopy * work @default allow-ish\n"));
        assertEquals("PolicyAdminException", invalid.qubesClass());
        assertEquals(RULES, Files.readString(admin.policyDir.resolve("30-user.policy")), "the stored file is untouched");
    }

    @Test
    void includeFilesAndPayloadShape() throws Exception {
        admin.call("policy.include.Replace", "admin-local-rwx", "dom0", "new\n@anyvm @tag:mgmt allow target=dom0\n");
        assertTrue(Files.exists(admin.policyDir.resolve("include/admin-local-rwx")));
        assertEquals("admin-local-rwx\n", admin.call("policy.include.List", "", "dom0", ""));
        assertThrows(ProtocolError.class, () -> admin.call("policy.Replace", "30-user", "dom0", "no-newline-token"));
        admin.call("admin.vm.Create.TemplateVM", "", "dom0", "name=debian label=black");
        assertThrows(ProtocolError.class, () -> admin.call("policy.List", "", "debian", ""), "policy methods target dom0 only");
    }
}
