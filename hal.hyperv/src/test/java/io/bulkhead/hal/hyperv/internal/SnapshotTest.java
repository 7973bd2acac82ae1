package io.bulkhead.hal.hyperv.internal;

import static io.bulkhead.hal.hyperv.internal.Backends.appVm;
import static io.bulkhead.hal.hyperv.internal.Backends.command;
import static io.bulkhead.hal.hyperv.internal.Backends.commandNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** saveSnapshot = standard checkpoint + turn off; restoreSnapshot = Restore-VMSnapshot, left Saved (PAUSED). */
class SnapshotTest {

    @TempDir
    Path pool;

    private final FakeHyperV fake = new FakeHyperV();
    private final Backends.Events events = new Backends.Events();
    private HypervHypervisor hyperv;
    private DomainSpec spec;

    @BeforeEach
    void setUp() throws Exception {
        hyperv = Backends.backend(fake, Map.of());
        hyperv.addStateListener(events::record);
        spec = appVm(pool, "disp1").build();
        hyperv.define(spec);
        hyperv.start("disp1");
        events.next();
        events.next();
        fake.clear();
    }

    @AfterEach
    void tearDown() {
        hyperv.close();
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void saveTakesAStandardCheckpointTurnsOffAndWritesWhereItIs() throws Exception {
        Path file = pool.resolve("snapshots/disp1.snap");
        hyperv.saveSnapshot("disp1", file);

        assertEquals(List.of("checkpoint"), fake.actions());
        PowerShellScript checkpoint = fake.last("checkpoint");
        assertEquals(List.of("Find-BulkheadVm", "Checkpoint-VM", "Stop-VM", "ConvertTo-BulkheadRecord"),
                commandNames(checkpoint));
        String name = command(checkpoint, "Checkpoint-VM").get("-SnapshotName");
        assertTrue(name.startsWith("bulkhead-snapshot-"), name);
        assertTrue(command(checkpoint, "Checkpoint-VM").has("-Passthru"));
        assertTrue(command(checkpoint, "Stop-VM").has("-TurnOff"));
        assertTrue(checkpoint.timeout().isPresent(), "checkpoints of big VMs take longer than ordinary scripts");

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("bulkhead-hyperv-checkpoint/1", json.path("format").asText());
        assertEquals("disp1", json.path("domain").asText());
        assertEquals(fake.vm("disp1").id.toString(), json.path("vmId").asText());
        UUID checkpointId = UUID.fromString(json.path("checkpointId").asText());
        assertEquals(name, fake.vm("disp1").checkpoints.get(checkpointId));
        assertEquals(DomainState.SHUTOFF, hyperv.state("disp1"));
        assertEquals("disp1 SHUTOFF state saved to " + file, events.next());

        fake.clear();
        hyperv.restoreSnapshot(spec, file);
        assertEquals(List.of("restore"), fake.actions());
        PowerShellScript restore = fake.last("restore");
        assertEquals(List.of("Find-BulkheadVm", "Get-VMSnapshot", "Where-Object", "Restore-VMSnapshot",
                "ConvertTo-BulkheadRecord"), commandNames(restore));
        assertTrue(restore.literals().contains(checkpointId.toString()), "the checkpoint is found by its id");
        PsCommands.Invocation apply = command(restore, "Restore-VMSnapshot");
        assertEquals("$false", apply.get("-Confirm"));
        assertEquals(DomainState.PAUSED, hyperv.state("disp1"), "Saved: memory restored, not executing");
        assertEquals("disp1 PAUSED restored from " + file, events.next());

        hyperv.unpause("disp1");
        assertEquals(List.of("Find-BulkheadVm", "Start-VM", "ConvertTo-BulkheadRecord"), commandNames(fake.last("resume")),
                "a Saved VM continues with Start-VM");
        assertEquals(DomainState.RUNNING, hyperv.state("disp1"));
    }

    @Test
    void aSnapshotCanBeRestoredAgainAndAgain() throws Exception {
        Path file = pool.resolve("disp1.snap");
        hyperv.saveSnapshot("disp1", file);
        for (int i = 0; i < 2; i++) {
            hyperv.restoreSnapshot(spec, file);
            hyperv.unpause("disp1");
            hyperv.kill("disp1");
        }
        assertEquals(List.of("checkpoint", "restore", "resume", "kill", "restore", "resume", "kill"), fake.actions());
    }

    @Test
    void restoreNamesTheFileAndRefusesAnotherDomainsCheckpoint() throws Exception {
        HypervisorException missing = assertThrows(HypervisorException.class,
                () -> hyperv.restoreSnapshot(spec, pool.resolve("none.snap")));
        assertTrue(missing.getMessage().contains("none.snap"), missing.getMessage());

        Path garbage = pool.resolve("garbage.snap");
        Files.writeString(garbage, "{\"format\":\"qemu\"}");
        HypervisorException foreign = assertThrows(HypervisorException.class, () -> hyperv.restoreSnapshot(spec, garbage));
        assertTrue(foreign.getMessage().contains("was not written by the Hyper-V backend"), foreign.getMessage());

        Path file = pool.resolve("disp1.snap");
        hyperv.saveSnapshot("disp1", file);
        DomainSpec other = appVm(pool, "disp2").build();
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.restoreSnapshot(other, file));
        assertTrue(e.getMessage().contains("checkpoint of domain disp1") && e.getMessage().contains("Export-VM/Import-VM"),
                e.getMessage());
    }

    @Test
    void aCheckpointLostByRedefiningIsReported() throws Exception {
        Path file = pool.resolve("disp1.snap");
        hyperv.saveSnapshot("disp1", file);
        hyperv.define(spec); // a new VM: the checkpoint went with the old one
        HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.restoreSnapshot(spec, file));
        assertTrue(e.getMessage().contains("no longer exists"), e.getMessage());
    }

    @Test
    void onlyRunningOrPausedDomainsCanBeSaved() throws Exception {
        hyperv.kill("disp1");
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> hyperv.saveSnapshot("disp1", pool.resolve("x.snap")));
        assertTrue(e.getMessage().contains("not running"), e.getMessage());
    }
}
