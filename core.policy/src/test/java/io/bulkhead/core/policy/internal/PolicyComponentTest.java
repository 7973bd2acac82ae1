package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyDecision.Result;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.SystemView;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DS component outside a framework: defaults, watching, admin-triggered reload. */
class PolicyComponentTest {
    private static final SystemView SYSTEM = TestSystem.system();
    private static final PolicyRequest WORK_TO_VAULT = PolicyRequest.of("qubes.Gpg", "work", "vault");

    @TempDir
    Path data;

    private static PolicyConfig config(String[] dirs, String adminDir) {
        return new PolicyConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PolicyConfig.class;
            }

            @Override
            public String[] policy_dirs() {
                return dirs;
            }

            @Override
            public String admin_dir() {
                return adminDir;
            }

            @Override
            public String legacy_dir() {
                return "";
            }

            @Override
            public long reload_delay_ms() {
                return 50;
            }
        };
    }

    /** Waits for the watcher; bounded so that a broken watcher fails instead of hanging. */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), "condition not reached within 10 s");
    }

    @Test
    void defaultsToRuntimeThenPersistentDirectoryUnderTheDataDir() {
        PolicyComponent component = new PolicyComponent(config(new String[0], ""), data);
        try {
            assertEquals(List.of(data.resolve("run/policy.d"), data.resolve("policy.d")), component.policyDirectories());
            assertTrue(Files.isDirectory(data.resolve("run/policy.d")));
            assertTrue(component.policy().isValid());
            assertEquals(0, component.policy().ruleCount());
        } finally {
            component.deactivate();
        }
    }

    @Test
    void dataDirectoryProperty() {
        assertEquals(Path.of("/var/lib/bulkhead"), PolicyComponent.dataDirectory("/var/lib/bulkhead"));
        assertEquals(Path.of(System.getProperty("user.home"), ".bulkhead"), PolicyComponent.dataDirectory(null));
    }

    @Test
    void reloadsWhenAPolicyFileChanges() throws Exception {
        Path etc = Files.createDirectories(data.resolve("etc"));
        Files.writeString(etc.resolve("90-default.policy"), "* * @anyvm @anyvm deny\n");
        PolicyComponent component = new PolicyComponent(config(new String[] {etc.toString()}, ""), data);
        try {
            assertEquals(Result.DENY, component.evaluate(WORK_TO_VAULT, SYSTEM).result());
            Files.writeString(etc.resolve("30-user.policy"), "qubes.Gpg * work vault allow\n");
            await(() -> component.evaluate(WORK_TO_VAULT, SYSTEM).result() == Result.ALLOW);
            // a file in a subdirectory created after start is watched too
            Files.createDirectories(etc.resolve("include"));
            Files.writeString(etc.resolve("include/x"), "qubes.Gpg * work vault deny\n");
            Files.writeString(etc.resolve("20-inc.policy"), "!include include/x\n");
            await(() -> component.evaluate(WORK_TO_VAULT, SYSTEM).result() == Result.DENY);
            Files.writeString(etc.resolve("include/x"), "qubes.Gpg * work vault ask target=dom0\n");
            await(() -> component.evaluate(WORK_TO_VAULT, SYSTEM).result() == Result.ASK);
            Files.writeString(etc.resolve("30-user.policy"), "broken\n");
            await(() -> !component.policy().isValid());
        } finally {
            component.deactivate();
        }
    }

    @Test
    void adminChangesApplyBeforeTheCallReturns() throws Exception {
        Path run = data.resolve("run");
        Path etc = data.resolve("etc");
        PolicyComponent component = new PolicyComponent(config(new String[] {run.toString(), etc.toString()}, ""), data);
        try {
            component.admin().replace(PolicyAdmin.Scope.POLICY, "30-user", PolicyAdmin.NEW,
                    "qubes.Gpg * work vault allow\n");
            assertTrue(Files.exists(etc.resolve("30-user.policy")), "the admin directory is the last one");
            assertEquals(Result.ALLOW, component.evaluate(WORK_TO_VAULT, SYSTEM).result());
            // a runtime file of the same name hides the persistent one
            Files.writeString(run.resolve("30-user.policy"), "qubes.Gpg * work vault deny\n");
            assertEquals(Result.DENY, component.reload().evaluate(WORK_TO_VAULT, SYSTEM).result());
            assertFalse(component.policy().errors().size() > 0);
        } finally {
            component.deactivate();
        }
    }
}
