package io.bulkhead.qvm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.Fixtures;
import io.bulkhead.qvm.testing.ToolRun;

/** qvm-start, qvm-shutdown, qvm-kill, qvm-pause, qvm-unpause. */
@Timeout(20)
class PowerTest {
    private FakeQubesd qubesd;

    @BeforeEach
    void start() throws IOException {
        qubesd = Fixtures.standard(new FakeQubesd());
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    private List<String> actions() {
        return qubesd.calls().stream().filter(call -> !call.startsWith("admin.vm.List")).sorted().toList();
    }

    @Test
    void startStartsEachHaltedQube() {
        qubesd.ok("admin.vm.Start", "work", "").ok("admin.vm.Start", "debian-12", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-start", "work", "debian-12");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("admin.vm.Start+ debian-12", "admin.vm.Start+ work"), actions());
    }

    @Test
    void startOfARunningQubeFailsUnlessSkipped() {
        ToolRun run = ToolRun.run(qubesd, "qvm-start", "sys-net");
        assertEquals(1, run.code());
        assertEquals("Error: Starting qube failed: sys-net: Domain is already running\n", run.err());
        assertEquals(0, ToolRun.run(qubesd, "qvm-start", "--skip-if-running", "sys-net").code());
        assertEquals(List.of(), actions());
    }

    @Test
    void startFailuresAreReportedPerQube() {
        qubesd.on("admin.vm.Start", "", "work", FakeQubesd.error("QubesVMError", "Cannot start: no hypervisor"));
        ToolRun run = ToolRun.run(qubesd, "qvm-start", "work");
        assertEquals(1, run.code());
        assertEquals("Error: Starting qube failed: work: Cannot start: no hypervisor\n", run.err());
        assertEquals(2, ToolRun.run(qubesd, "qvm-start").code());
        assertEquals(1, ToolRun.run(qubesd, "qvm-start", "--cdrom", "x.iso", "work").code());
    }

    @Test
    void shutdownArgumentsForceAndWait() {
        qubesd.ok("admin.vm.Shutdown", "", "sys-net", "").ok("admin.vm.Shutdown", "wait", "sys-net", "")
                .ok("admin.vm.Shutdown", "force+wait", "sys-net", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-shutdown", "sys-net").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-shutdown", "--wait", "sys-net").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-shutdown", "--force", "--wait", "sys-net").code());
        ToolRun timeout = ToolRun.run(qubesd, "qvm-shutdown", "--timeout", "30", "sys-net");
        assertEquals("qvm-shutdown: warning: Call to deprecated --timeout option, use --wait instead\n", timeout.err());
        assertEquals(List.of("admin.vm.Shutdown+ sys-net", "admin.vm.Shutdown+force+wait sys-net", "admin.vm.Shutdown+wait sys-net",
                "admin.vm.Shutdown+wait sys-net"), actions());
    }

    @Test
    void shutdownAllForcesEveryQubeButDom0AndIgnoresHaltedOnes() {
        for (String qube : List.of("sys-net", "work", "debian-12")) {
            qubesd.on("admin.vm.Shutdown", "force", qube, qube.equals("sys-net") ? FakeQubesd.ok("")
                    : FakeQubesd.error("QubesVMNotStartedError", "Domain is powered off: " + qube));
        }
        ToolRun run = ToolRun.run(qubesd, "qvm-shutdown", "--all");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("admin.vm.Shutdown+force debian-12", "admin.vm.Shutdown+force sys-net", "admin.vm.Shutdown+force work"),
                actions());
        qubesd.ok("admin.vm.Shutdown", "", "sys-net", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-shutdown", "--all", "--exclude", "work", "--exclude", "debian-12").code());
        assertEquals("admin.vm.Shutdown+ sys-net", qubesd.calls().get(qubesd.calls().size() - 1));
    }

    @Test
    void aQubeInUseIsRetriedAfterTheOthers() {
        AtomicInteger attempts = new AtomicInteger();
        qubesd.on("admin.vm.Shutdown", "", "sys-net", (request, out) -> out.write(attempts.incrementAndGet() == 1
                ? FakeQubesd.error("QubesVMInUseError", "There are other VMs connected to this VM: work") : FakeQubesd.ok("")))
                .ok("admin.vm.Shutdown", "", "work", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-shutdown", "sys-net", "work");
        assertEquals(0, run.code(), run.err());
        assertEquals("Error: Retrying shutdown of qubes that were in use for 1 time(s)\n"
                + "Error: Retrying shutdown of qubes that were in use: sys-net\n", run.err());
        assertEquals(2, attempts.get());
    }

    @Test
    void timedOutQubesAreRetriedThenKilled() {
        qubesd.on("admin.vm.Shutdown", "wait", "sys-net", FakeQubesd.error("QubesVMShutdownTimeoutError", "timed out"))
                .ok("admin.vm.Kill", "sys-net", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-shutdown", "--wait", "sys-net");
        assertEquals(0, run.code());
        assertEquals("Error: Retrying shutdown of qubes that timed out: sys-net\nError: Killing timed out qubes: sys-net\n", run.err());
        assertEquals(List.of("admin.vm.Kill+ sys-net", "admin.vm.Shutdown+wait sys-net", "admin.vm.Shutdown+wait sys-net"), actions());
    }

    @Test
    void shutdownFailuresCountInTheExitCode() {
        qubesd.on("admin.vm.Shutdown", "", "sys-net", FakeQubesd.error("QubesVMError", "libvirt said no"))
                .on("admin.vm.Shutdown", "", "work", FakeQubesd.error("QubesVMError", "also no"));
        ToolRun run = ToolRun.run(qubesd, "qvm-shutdown", "sys-net", "work");
        assertEquals(2, run.code());
        assertEquals("Error: Failed to shut down: sys-net: libvirt said no\nError: Failed to shut down: work: also no\n", run.err());
        assertEquals(0, ToolRun.run(qubesd, "qvm-shutdown", "--dry-run", "sys-net").code());
    }

    @Test
    void killIgnoresHaltedQubesAndCountsFailures() {
        qubesd.on("admin.vm.Kill", "", "work", FakeQubesd.error("QubesVMNotStartedError", "Domain is powered off: work"))
                .on("admin.vm.Kill", "", "sys-net", FakeQubesd.error("QubesVMError", "stuck"));
        ToolRun run = ToolRun.run(qubesd, "qvm-kill", "work", "sys-net");
        assertEquals(1, run.code());
        assertEquals("Error: Failed to kill: sys-net: stuck\n", run.err());
    }

    @Test
    void pauseSuspendAndUnpause() {
        qubesd.ok("admin.vm.Pause", "sys-net", "").ok("admin.vm.Suspend", "sys-net", "").ok("admin.vm.Unpause", "sys-net", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-pause", "sys-net").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-pause", "-S", "sys-net").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-unpause", "sys-net").code());
        qubesd.on("admin.vm.Pause", "", "work", FakeQubesd.error("QubesVMNotRunningError", "Domain is powered off: work"));
        ToolRun failed = ToolRun.run(qubesd, "qvm-pause", "work");
        assertEquals(1, failed.code());
        assertEquals("Error: Failed to pause: work: Domain is powered off: work\n", failed.err());
        assertEquals(List.of("admin.vm.Pause+ sys-net", "admin.vm.Pause+ work", "admin.vm.Suspend+ sys-net", "admin.vm.Unpause+ sys-net"),
                actions());
    }

    @Test
    void unpauseAllSkipsInternalQubesAndResumesSuspendedOnes() {
        qubesd.ok("admin.vm.List", "dom0", "dom0 class=AdminVM state=Running\nsys-net class=AppVM state=Suspended\n"
                + "work class=AppVM state=Paused\nhidden class=AppVM state=Paused\n")
                .on("admin.vm.feature.Get", "internal", "sys-net", FakeQubesd.error("QubesFeatureNotFoundError", "internal"))
                .on("admin.vm.feature.Get", "internal", "work", FakeQubesd.error("QubesFeatureNotFoundError", "internal"))
                .ok("admin.vm.feature.Get", "internal", "hidden", "1")
                .ok("admin.vm.Resume", "sys-net", "").ok("admin.vm.Unpause", "work", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-unpause", "--all").code());
        assertEquals(List.of("admin.vm.Resume+ sys-net", "admin.vm.Unpause+ work", "admin.vm.feature.Get+internal hidden",
                "admin.vm.feature.Get+internal sys-net", "admin.vm.feature.Get+internal work"), actions());
    }
}
