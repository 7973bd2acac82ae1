package io.bulkhead.core.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.HypervisorStatus;
import io.bulkhead.core.domains.QubesException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The selection is applied through the model first and only recorded in the .cfg when the model accepted it. */
class BackendSelectionTest {

    @TempDir
    Path dir;
    String selected = "kvm";
    List<String> running = new ArrayList<>();

    private DomainsService domains() {
        return (DomainsService) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DomainsService.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "hypervisorStatus":
                            return new HypervisorStatus(selected, true, List.of("kvm", "local"));
                        case "selectHypervisor":
                            if (!running.isEmpty() && !(Boolean) args[1]) {
                                throw new QubesException("refused: " + running);
                            }
                            selected = (String) args[0];
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private RuntimeConfig config() {
        return new RuntimeConfig() {
            public String deployDir() {
                return dir.resolve("hot-deploy").toString();
            }

            public int installTimeoutSeconds() {
                return 5;
            }

            public Class<? extends Annotation> annotationType() {
                return RuntimeConfig.class;
            }
        };
    }

    @Test
    void switchIsRecordedKeepingOtherSettings() throws Exception {
        Path cfg = dir.resolve("hot-deploy/io.bulkhead.core.domains.cfg");
        Files.createDirectories(cfg.getParent());
        Files.writeString(cfg, "# chosen by the admin\nqemuImg=/usr/bin/qemu-img\nhypervisor = kvm\n");
        BackendSelection selection = new BackendSelection(domains(), null, config());
        String report = selection.select("local", false);
        assertTrue(report.contains("switched from 'kvm' to 'local'"), report);
        assertEquals(List.of("# chosen by the admin", "qemuImg=/usr/bin/qemu-img", "hypervisor=local"), Files.readAllLines(cfg));
    }

    @Test
    void refusalLeavesTheFileUntouched() throws Exception {
        running.add("work");
        BackendSelection selection = new BackendSelection(domains(), null, config());
        assertThrows(QubesException.class, () -> selection.select("local", false));
        assertTrue(Files.notExists(dir.resolve("hot-deploy/io.bulkhead.core.domains.cfg")));
        selection.select("local", true);
        assertEquals(List.of("hypervisor=local"), Files.readAllLines(dir.resolve("hot-deploy/io.bulkhead.core.domains.cfg")));
    }

    @Test
    void statusShowsSelectionAndRegisteredBackends() {
        String status = new BackendSelection(domains(), null, config()).status();
        assertEquals("selected: kvm (available)\nregistered: kvm, local\n", status);
    }
}
