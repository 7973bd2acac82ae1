package io.bulkhead.qvm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.ToolRun;

/** bulkhead-install, -uninstall, -extensions, -backend: the dom0-only bulkhead.* calls and their reports. */
@Timeout(20)
class BulkheadToolsTest {
    private FakeQubesd qubesd;

    @BeforeEach
    void start() throws IOException {
        qubesd = new FakeQubesd();
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    private List<String> requests() {
        return qubesd.requests().stream().map(FakeQubesd.Request::toString).toList();
    }

    @Test
    void installSendsAnAbsolutePathAndPrintsTheReport() {
        qubesd.ok("bulkhead.extension.Install", "", "dom0", "Installed x.jar into /d/hot-deploy\n");
        ToolRun run = ToolRun.run(qubesd, "bulkhead-install", "target/x.jar");
        assertEquals(0, run.code(), run.err());
        assertEquals("Installed x.jar into /d/hot-deploy\n", run.out());
        String absolute = Path.of("target/x.jar").toAbsolutePath().normalize().toString();
        assertEquals(List.of("bulkhead.extension.Install+ dom0 " + absolute), requests());
    }

    @Test
    void installPassesUrlsUnchanged() {
        qubesd.ok("bulkhead.extension.Install", "", "dom0", "ok\n");
        assertEquals(0, ToolRun.run(qubesd, "bulkhead-install", "https://example.org/f/tor.bfp").code());
        assertEquals(List.of("bulkhead.extension.Install+ dom0 https://example.org/f/tor.bfp"), requests());
    }

    @Test
    void installFailureIsExitOneWithDom0sMessage() {
        qubesd.on("bulkhead.extension.Install", "", "dom0", FakeQubesd.error("QubesException", "missing requirement foo"));
        ToolRun run = ToolRun.run(qubesd, "bulkhead-install", "/x.jar");
        assertEquals(1, run.code());
        assertEquals("bulkhead-install: error: missing requirement foo\n", run.err());
    }

    @Test
    void uninstallAndListCallTheirMethods() {
        qubesd.ok("bulkhead.extension.Remove", "x.jar", "dom0", "Removed x.jar\n");
        qubesd.ok("bulkhead.extension.List", "", "dom0", "x.jar\n");
        assertEquals("Removed x.jar\n", ToolRun.run(qubesd, "bulkhead-uninstall", "x.jar").out());
        assertEquals("x.jar\n", ToolRun.run(qubesd, "bulkhead-extensions").out());
        assertEquals(2, ToolRun.run(qubesd, "bulkhead-uninstall").code());
    }

    @Test
    void backendShowsOrSwitchesWithForceAsPayload() {
        qubesd.ok("bulkhead.hypervisor.Get", "", "dom0", "selected: kvm (available)\n");
        qubesd.ok("bulkhead.hypervisor.Set", "xen", "dom0", "switched\n");
        assertEquals("selected: kvm (available)\n", ToolRun.run(qubesd, "bulkhead-backend").out());
        assertEquals(0, ToolRun.run(qubesd, "bulkhead-backend", "xen").code());
        assertEquals(0, ToolRun.run(qubesd, "bulkhead-backend", "--force", "xen").code());
        assertEquals(List.of("bulkhead.hypervisor.Get+ dom0", "bulkhead.hypervisor.Set+xen dom0",
                "bulkhead.hypervisor.Set+xen dom0 force"), requests());
    }
}
