package io.bulkhead.hal.hyperv.internal;

import static io.bulkhead.hal.hyperv.internal.Backends.all;
import static io.bulkhead.hal.hyperv.internal.Backends.appVm;
import static io.bulkhead.hal.hyperv.internal.Backends.command;
import static io.bulkhead.hal.hyperv.internal.Backends.commandNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.Accelerator;
import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.DomainNotFoundException;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.HypervisorCapabilities;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Define, start, pause, shutdown, kill and undefine: the exact cmdlets and what the backend reports. */
class LifecycleTest {

    @TempDir
    Path pool;

    private final FakeHyperV fake = new FakeHyperV();
    private final Backends.Events events = new Backends.Events();
    private HypervHypervisor hyperv;

    @BeforeEach
    void setUp() {
        hyperv = Backends.backend(fake, Map.of());
        hyperv.addStateListener(events::record);
    }

    @AfterEach
    void tearDown() {
        hyperv.close();
        assertEquals(List.of(), fake.violations(), "every script must pass the quoting checks");
    }

    private DomainSpec work() throws IOException {
        Path volatileImage = pool.resolve("appvms/work/volatile.img");
        Files.createDirectories(volatileImage.getParent());
        try (RandomAccessFile file = new RandomAccessFile(volatileImage.toFile(), "rw")) {
            file.setLength(64L << 20);
        }
        return appVm(pool, "work").build();
    }

    private void running() throws IOException, InterruptedException {
        hyperv.define(work());
        hyperv.start("work");
        assertEquals("work STARTING booting", events.next());
        assertEquals("work RUNNING booted", events.next());
        fake.clear();
    }

    @Test
    void identifiesAsHypervAndReportsWhatHyperVCanDo() {
        assertEquals("hyperv", hyperv.id());
        HypervisorCapabilities capabilities = hyperv.capabilities();
        assertEquals(Accelerator.HYPERV, capabilities.accelerator());
        for (Capability c : List.of(Capability.PAUSE, Capability.SNAPSHOT, Capability.DISK_BOOT, Capability.NETWORK,
                Capability.MEMORY_BALLOONING)) {
            assertTrue(capabilities.supports(c), c.name());
        }
        for (Capability c : List.of(Capability.KERNEL_BOOT, Capability.USB_PASSTHROUGH, Capability.BLOCK_HOTPLUG,
                Capability.PCI_PASSTHROUGH)) {
            assertFalse(capabilities.supports(c), c.name());
        }
        HypervHypervisor withDda = Backends.backend(fake, Map.of("pciPassthrough", "true"));
        assertTrue(withDda.capabilities().supports(Capability.PCI_PASSTHROUGH));
        withDda.close();
        assertEquals(List.of(), fake.operations(), "reporting capabilities touches nothing on the host");
    }

    @Test
    void defineCreatesAGeneration2VmWithItsDisksMemoryAndProcessors() throws IOException {
        DomainSpec spec = work();
        hyperv.define(spec);

        assertEquals(List.of("preflight", "list", "define"), fake.operations());
        PowerShellScript define = fake.last("define");
        assertEquals(List.of("Get-VM", "Where-Object", "Test-BulkheadNotes", "Get-VM", "Where-Object",
                "Test-BulkheadNotes", "Remove-VM", "Get-VMHost", "New-VM", "Set-VM", "Get-Command", "Set-VM", "Set-VMProcessor",
                "Set-VMMemory", "Set-VMFirmware", "Set-VMComPort", "Get-VMNetworkAdapter", "Remove-VMNetworkAdapter",
                "New-VHD", "Add-VMHardDiskDrive", "Add-VMHardDiskDrive", "New-VHD", "Add-VMHardDiskDrive",
                "Set-VMFirmware", "Get-VMHardDiskDrive", "ConvertTo-BulkheadRecord"), commandNames(define));
        PsCommands.Invocation newVm = command(define, "New-VM");
        assertEquals("work", newVm.get("-Name"));
        assertEquals("2", newVm.get("-Generation"));
        assertEquals(String.valueOf(400L << 20), newVm.get("-MemoryStartupBytes"));
        assertEquals("$dir", newVm.get("-Path"));
        assertTrue(newVm.has("-NoVHD"));
        PsCommands.Invocation setVm = command(define, "Set-VM");
        assertEquals("Standard", setVm.get("-CheckpointType"), "checkpoints must keep memory for snapshots");
        assertEquals("TurnOff", setVm.get("-AutomaticStopAction"));
        assertEquals("Nothing", setVm.get("-AutomaticStartAction"));
        assertTrue(setVm.get("-Notes").startsWith("Managed by Bulkhead (qube " + spec.uuid() + ")"));
        assertEquals("2", command(define, "Set-VMProcessor").get("-Count"));
        PsCommands.Invocation memory = command(define, "Set-VMMemory");
        assertEquals("$true", memory.get("-DynamicMemoryEnabled"));
        assertEquals(String.valueOf(400L << 20), memory.get("-StartupBytes"));
        assertEquals(String.valueOf(400L << 20), memory.get("-MinimumBytes"));
        assertEquals(String.valueOf(4000L << 20), memory.get("-MaximumBytes"));
        assertEquals("Off", command(define, "Set-VMFirmware").get("-EnableSecureBoot"));

        List<PsCommands.Invocation> vhds = all(define, "New-VHD");
        assertEquals(pool.resolve("vm-templates/fedora/root.vhdx").toString(), vhds.get(0).get("-ParentPath"),
                "the AppVM's root is a differencing disk over the template root's VHDX");
        assertTrue(vhds.get(0).has("-Differencing"));
        assertEquals(String.valueOf(64L << 20), vhds.get(1).get("-SizeBytes"), "volatile: fresh, as large as the image");
        assertTrue(vhds.get(1).has("-Dynamic"));
        assertTrue(define.literals().contains(pool.resolve("appvms/work/private.vhdx").toString()),
                "private attaches its own VHDX, so writes persist");
        List<PsCommands.Invocation> drives = all(define, "Add-VMHardDiskDrive");
        for (int i = 0; i < 3; i++) {
            assertEquals("SCSI", drives.get(i).get("-ControllerType"));
            assertEquals(String.valueOf(i), drives.get(i).get("-ControllerLocation"));
        }
        assertEquals("0", command(define, "Get-VMHardDiskDrive").get("-ControllerLocation"), "boots from root");
        assertEquals(Map.of("work", DomainState.SHUTOFF), hyperv.domains());
    }

    @Test
    void staticMemoryWhenMaxmemIsNotAbove() throws IOException {
        hyperv.define(appVm(pool, "static").memory(401, 0).vcpus(1).build());
        PsCommands.Invocation memory = command(fake.last("define"), "Set-VMMemory");
        assertEquals("$false", memory.get("-DynamicMemoryEnabled"));
        assertEquals(String.valueOf(402L << 20), memory.get("-StartupBytes"), "rounded up to 2 MiB");
        assertFalse(memory.has("-MaximumBytes"));
    }

    @Test
    void startRunsStartVmOnTheVmObjectAndReportsRunning() throws Exception {
        hyperv.define(work());
        fake.clear();
        hyperv.start("work");

        assertEquals(List.of("start"), fake.actions());
        PowerShellScript start = fake.last("start");
        assertEquals(List.of("Find-BulkheadVm", "Start-VM", "ConvertTo-BulkheadRecord"), commandNames(start));
        assertEquals("$vm", command(start, "Start-VM").get("-VM"));
        assertEquals("work", start.subject());
        assertEquals(DomainState.RUNNING, hyperv.state("work"));
        assertEquals("work STARTING booting", events.next());
        assertEquals("work RUNNING booted", events.next());
    }

    @Test
    void pauseSuspendsAndUnpauseResumes() throws Exception {
        running();
        hyperv.pause("work");
        assertEquals(List.of("Find-BulkheadVm", "Suspend-VM", "ConvertTo-BulkheadRecord"),
                commandNames(fake.last("pause")));
        assertEquals(DomainState.PAUSED, hyperv.state("work"));
        hyperv.unpause("work");
        assertEquals(List.of("Find-BulkheadVm", "Resume-VM", "ConvertTo-BulkheadRecord"),
                commandNames(fake.last("resume")));
        assertEquals(DomainState.RUNNING, hyperv.state("work"));
        assertEquals(List.of("pause", "resume"), fake.actions());
        assertEquals("work PAUSED paused by host", events.next());
        assertEquals("work RUNNING resumed by host", events.next());
        HypervisorException again = assertThrows(HypervisorException.class, () -> hyperv.unpause("work"));
        assertTrue(again.getMessage().contains("neither Paused nor Saved"), again.getMessage());
    }

    @Test
    void gracefulShutdownAsksTheGuestAndWaitsForHyperVToReportOff() throws Exception {
        running();
        fake.shutdownAfterLists(2);
        assertTrue(hyperv.shutdown("work", Duration.ofSeconds(10)));

        PowerShellScript shutdown = fake.last("shutdown");
        assertEquals(List.of("Find-BulkheadVm", "Get-Job", "Where-Object", "Remove-Job", "Stop-VM", "Wait-Job",
                "Receive-Job", "ConvertTo-BulkheadRecord"), commandNames(shutdown));
        PsCommands.Invocation stop = command(shutdown, "Stop-VM");
        assertTrue(stop.has("-Force") && stop.has("-AsJob") && !stop.has("-TurnOff"), stop.toString());
        assertEquals("2", command(shutdown, "Wait-Job").get("-Timeout"));
        assertEquals(List.of("shutdown"), fake.actions(), "no kill after a successful shutdown");
        assertEquals("work SHUTTING_DOWN shutdown requested", events.next());
        assertEquals("work SHUTOFF guest shut down", events.next());
        assertEquals(DomainState.SHUTOFF, hyperv.state("work"));
    }

    @Test
    void aShutdownTheGuestIgnoresTimesOutWithoutKilling() throws Exception {
        running();
        fake.shutdownAfterLists(-1);
        long started = System.nanoTime();
        assertFalse(hyperv.shutdown("work", Duration.ofMillis(1200)));
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(1200).toNanos());
        assertEquals(List.of("shutdown"), fake.actions());
        assertEquals(DomainState.RUNNING, hyperv.state("work"));
        assertFalse(hyperv.shutdown("work", Duration.ZERO), "zero only sends the request");
    }

    @Test
    void killTurnsTheVmOffAndDropsSavedMemory() throws Exception {
        running();
        hyperv.kill("work");
        PowerShellScript kill = fake.last("kill");
        assertEquals(List.of("Find-BulkheadVm", "Stop-VM", "ConvertTo-BulkheadRecord"), commandNames(kill));
        PsCommands.Invocation stop = command(kill, "Stop-VM");
        assertTrue(stop.has("-TurnOff") && stop.has("-Force"));
        assertEquals("work DYING killed by host", events.next());
        assertEquals("work SHUTOFF killed by host", events.next());

        fake.setState("work", VmState.SAVED);
        hyperv.kill("work");
        assertEquals(List.of("Find-BulkheadVm", "Remove-VMSavedState", "ConvertTo-BulkheadRecord"),
                commandNames(fake.last("kill")));
        fake.clear();
        hyperv.kill("work");
        assertEquals(List.of(), fake.actions(), "killing a VM that is off does nothing");
        hyperv.kill("ghost");
        assertTrue(hyperv.shutdown("ghost", Duration.ofSeconds(1)));
    }

    @Test
    void undefineRemovesTheVmAndTheDisksTheBackendCreated() throws Exception {
        DomainSpec spec = work();
        hyperv.define(spec);
        fake.clear();
        hyperv.undefine("work");
        PowerShellScript remove = fake.last("remove");
        assertEquals(List.of("Get-VM", "Where-Object", "Test-BulkheadNotes", "Remove-VM", "Get-VMHost"),
                commandNames(remove));
        assertEquals("-Force", command(remove, "Remove-VM").parameters().keySet().stream()
                .filter(p -> p.equals("-Force")).findFirst().orElseThrow());
        assertTrue(remove.literals().contains(spec.uuid().toString()), "the VM directory is the qube's UUID");
        assertTrue(Backends.body(remove).contains("[System.IO.Directory]::Delete($dir, $true)"));
        assertEquals(Map.of(), hyperv.domains());
        fake.clear();
        hyperv.undefine("work");
        assertEquals(List.of(), fake.actions(), "undefining an unknown domain is a no-op");
    }

    @Test
    void runningDomainsCannotBeRedefinedOrUndefined() throws Exception {
        running();
        HypervisorException define = assertThrows(HypervisorException.class, () -> hyperv.define(work()));
        assertTrue(define.getMessage().contains("cannot redefine domain work") && define.getMessage().contains("Running"),
                define.getMessage());
        assertThrows(HypervisorException.class, () -> hyperv.undefine("work"));
        assertEquals(List.of(), fake.actions());
    }

    @Test
    void aStartVmErrorRecordNamesTheCmdletAndCleansUp() throws Exception {
        hyperv.define(work());
        fake.clear();
        fake.failNext("start", "Start-VM", "'work' failed to start. Not enough memory in the system to start the"
                + " virtual machine work.", "OutOfMemory,Microsoft.HyperV.PowerShell.Commands.StartVM",
                "ResourceUnavailable", "Microsoft.HyperV.PowerShell.VirtualizationException");
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.start("work"));
        assertEquals("cannot start domain work: Start-VM: 'work' failed to start. Not enough memory in the system to"
                + " start the virtual machine work. [OutOfMemory,Microsoft.HyperV.PowerShell.Commands.StartVM]",
                e.getMessage());
        assertEquals("work", e.domain());
        assertEquals(List.of("start"), fake.actions(), "the VM stayed off: nothing to turn off");
        assertEquals("work STARTING booting", events.next());
        assertEquals("work SHUTOFF start failed", events.next());
        assertEquals(DomainState.SHUTOFF, hyperv.state("work"));
    }

    @Test
    void aVmThatRunsAfterAFailedStartIsTurnedOff() throws Exception {
        hyperv.define(work());
        fake.clear();
        fake.answerNext("start", script -> {
            fake.setState("work", VmState.RUNNING);
            return fake.ok(fake.record(fake.vm("work"))).replace("\"Running\"", "\"Starting\"");
        });
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.start("work"));
        assertTrue(e.getMessage().contains("is Starting"), e.getMessage());
        assertEquals(List.of("start", "kill"), fake.actions());
        assertEquals(DomainState.SHUTOFF, hyperv.state("work"));
    }

    @Test
    void aMissingVhdxIsReportedByTheDefineScript() throws Exception {
        fake.answerNext("define", script -> {
            String message = script.literals().stream().filter(l -> l.contains("needs the VHDX file")).findFirst()
                    .orElseThrow();
            return fake.error(message, message, "OperationStopped", "", "System.Management.Automation.RuntimeException");
        });
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.define(work()));
        assertTrue(e.getMessage().startsWith("cannot define domain work: Bulkhead: volume root needs the VHDX file "
                + pool.resolve("vm-templates/fedora/root.vhdx")), e.getMessage());
        assertTrue(e.getMessage().contains("qemu-img convert -O vhdx"), e.getMessage());
    }

    @Test
    void aVmRemovedBehindTheBackendsBackIsNotFound() throws Exception {
        running();
        fake.removeVm("work");
        assertThrows(DomainNotFoundException.class, () -> hyperv.pause("work"));
        assertEquals(DomainState.SHUTOFF, hyperv.state("work"));
        assertThrows(DomainNotFoundException.class, () -> hyperv.start("ghost"));
    }

    @Test
    void aVmThatVanishesDuringAShutdownIsReportedOff() throws Exception {
        running();
        fake.answerNext("shutdown", script -> {
            String answer = fake.ok(fake.record(fake.vm("work")));
            fake.removeVm("work"); // someone deletes the VM while the guest shuts down
            return answer;
        });
        assertTrue(hyperv.shutdown("work", Duration.ofSeconds(10)));
        assertEquals("work SHUTTING_DOWN shutdown requested", events.next());
        assertEquals("work SHUTOFF VM removed from Hyper-V", events.next());
    }

    @Test
    void vmsFoundRunningAfterARestartAreWatchedToo() throws Exception {
        fake.addVm("work", VmRecord.notesFor(java.util.UUID.randomUUID()), VmState.RUNNING);
        HypervHypervisor restarted = Backends.backend(fake, Map.of("statePollSeconds", "1"));
        Backends.Events seen = new Backends.Events();
        restarted.addStateListener(seen::record);
        try {
            assertEquals(DomainState.RUNNING, restarted.state("work"), "adopted, as core reconciles");
            fake.setState("work", VmState.OFF);
            assertEquals("work SHUTOFF Hyper-V reports Off", seen.next());
        } finally {
            restarted.close();
        }
    }

    @Test
    void scriptsThatLoseTheirVmMidwayGiveDomainNotFound() throws Exception {
        running();
        fake.failNext("pause", "Find-BulkheadVm", "Bulkhead: no Hyper-V VM managed by Bulkhead is named work",
                "Bulkhead: no Hyper-V VM managed by Bulkhead is named work", "ObjectNotFound",
                "System.Management.Automation.ItemNotFoundException");
        assertThrows(DomainNotFoundException.class, () -> hyperv.pause("work"));
    }

    @Test
    void aDeadPowerShellBecomesAHypervisorExceptionNamingTheDomain() throws Exception {
        hyperv.define(work());
        fake.transportFailureNext("start", new IOException("PowerShell exited while running script 'start' (exit code"
                + " -1073741510)"));
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.start("work"));
        assertTrue(e.getMessage().startsWith("cannot start domain work: PowerShell exited"), e.getMessage());
    }

    @Test
    void kernelBootIsRefusedWithWhatToDoBeforeAnythingRuns() {
        DomainSpec spec = appVm(pool, "work").boot(new DomainSpec.KernelBoot(pool.resolve("vmlinuz"), Optional.empty(),
                "console=hvc0")).build();
        KernelBootUnsupportedException e = assertThrows(KernelBootUnsupportedException.class, () -> hyperv.define(spec));
        assertEquals(Capability.KERNEL_BOOT, e.capability());
        assertTrue(e.getMessage().contains("qvm-prefs work kernel ''"), e.getMessage());
        assertEquals(List.of(), fake.operations());
    }

    @Test
    void badMacAddressesAndUnquotableNamesFailAtDefine() {
        DomainSpec badMac = appVm(pool, "work").network(Backends.uplink("sys-net", "00:16:3e:5e:6c")).build();
        IllegalArgumentException mac = assertThrows(IllegalArgumentException.class, () -> hyperv.define(badMac));
        assertTrue(mac.getMessage().contains("'00:16:3e:5e:6c'"), mac.getMessage());
        DomainSpec nul = DomainSpec.builder("wo\0rk", java.util.UUID.randomUUID(), pool.resolve("run"))
                .boot(new DomainSpec.DiskBoot()).build();
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> hyperv.define(nul));
        assertTrue(name.getMessage().contains("VM name contains a NUL"), name.getMessage());
        assertEquals(List.of(), fake.operations());
    }

    @Test
    void vmsBulkheadDidNotCreateAreInvisibleAndNeverReplaced() throws Exception {
        fake.addVm("work", "my own VM", VmState.RUNNING);
        assertEquals(DomainState.SHUTOFF, hyperv.state("work"));
        assertEquals(Map.of(), hyperv.domains());
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.define(work()));
        assertTrue(e.getMessage().contains("exists that Bulkhead did not create"), e.getMessage());
        assertEquals(VmState.RUNNING, fake.vm("work").state);
    }

    @Test
    void theVmNamePrefixSeparatesQubesFromOtherVms() throws Exception {
        HypervHypervisor prefixed = Backends.backend(fake, Map.of("vmNamePrefix", "bh-"));
        try {
            prefixed.define(work());
            prefixed.start("work");
            assertEquals("bh-work", command(fake.last("define"), "New-VM").get("-Name"));
            assertEquals("bh-work", fake.last("start").subject());
            assertEquals(Map.of("work", DomainState.RUNNING), prefixed.domains());
        } finally {
            prefixed.close();
        }
    }

    @Test
    void guestInitiatedPowerOffIsNoticedByThePoll() throws Exception {
        HypervHypervisor polled = Backends.backend(fake, Map.of("statePollSeconds", "1"));
        Backends.Events seen = new Backends.Events();
        polled.addStateListener(seen::record);
        try {
            polled.define(work());
            polled.start("work");
            assertEquals("work STARTING booting", seen.next());
            assertEquals("work RUNNING booted", seen.next());
            fake.setState("work", VmState.OFF);
            assertEquals("work SHUTOFF Hyper-V reports Off", seen.next());
            assertNull(seen.none(), "reported once");
        } finally {
            polled.close();
        }
    }

    @Test
    void afterDeactivationOperationsAreRefusedAndVmsKeepRunning() throws Exception {
        running();
        hyperv.close();
        assertTrue(fake.closed(), "the PowerShell process is stopped");
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.start("work"));
        assertTrue(e.getMessage().contains("deactivated"), e.getMessage());
        assertEquals(DomainState.SHUTOFF, hyperv.state("work"));
        assertEquals(VmState.RUNNING, fake.vm("work").state, "Hyper-V owns the VM: it keeps running");
        assertEquals(List.of(), fake.actions());
        hyperv.close();
    }

    @Test
    void badConfigurationIsRejectedNamingTheKey() {
        IllegalArgumentException guid = assertThrows(IllegalArgumentException.class,
                () -> Backends.backend(fake, Map.of("qrexecServiceGuid", "not-a-guid")));
        assertTrue(guid.getMessage().contains("qrexecServiceGuid") && guid.getMessage().contains("not-a-guid"));
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> Backends.backend(fake, Map.of("remoteMode", "ssh")));
        assertTrue(mode.getMessage().contains("remoteMode") && mode.getMessage().contains("'ssh'"));
    }
}
