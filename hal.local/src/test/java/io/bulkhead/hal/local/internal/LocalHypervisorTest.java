package io.bulkhead.hal.local.internal;

import static io.bulkhead.hal.local.internal.TestQubes.await;
import static io.bulkhead.hal.local.internal.TestQubes.exchangeHellos;
import static io.bulkhead.hal.local.internal.TestQubes.requireAgentProcess;
import static io.bulkhead.hal.local.internal.TestQubes.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.CapabilityNotSupportedException;
import io.bulkhead.core.domains.hal.DeviceSpec;
import io.bulkhead.core.domains.hal.DomainChannel;
import io.bulkhead.core.domains.hal.DomainNotFoundException;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.HypervisorException;
import io.bulkhead.core.domains.hal.NetworkLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend against the real guest agent jar, run as local processes. */
class LocalHypervisorTest {

    @TempDir
    Path tmp;

    private LocalHypervisor backend;
    private final TestQubes.Recorder recorder = new TestQubes.Recorder();

    @BeforeEach
    void createBackend() {
        backend = TestQubes.backend(tmp.resolve("run"));
        backend.addStateListener(recorder);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private RunFiles files(String name) {
        return new RunFiles(tmp.resolve("run").resolve(name));
    }

    @Test
    void startedQubeIsARunningAgentThatSaysHelloOnItsChannel() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");

        assertEquals(DomainState.RUNNING, backend.state("work"));
        assertEquals(Map.of("work", DomainState.RUNNING), backend.domains());
        ProcessHandle agent = requireAgentProcess(files("work").qrexecSocket());
        assertTrue(agent.isAlive());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files("work").directory())));
        try (DomainChannel channel = backend.openQrexecChannel("work")) {
            assertEquals("work", channel.domain());
            assertTrue(exchangeHellos(channel) >= 2, "protocol version of the agent's hello");
        }
        // once it has exchanged hellos with dom0, the agent serves qrexec-client-vm on its client
        // socket (as Qubes' agent does), and it got a wrapper for it
        await("the agent listens on client.sock", () -> Files.exists(files("work").clientSocket()));
        assertTrue(Files.isExecutable(files("work").clientWrapper()));
        assertTrue(Files.isDirectory(files("work").ownRpcDir()));
        assertEquals(List.of(DomainState.STARTING, DomainState.RUNNING), recorder.states("work"));
    }

    @Test
    void channelCanBeOpenedAgainAfterCloseBecauseTheAgentReconnects() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        DomainChannel first = backend.openQrexecChannel("work");
        exchangeHellos(first); // closes the link, and with it the channel

        try (DomainChannel second = backend.openQrexecChannel("work")) {
            assertTrue(exchangeHellos(second) >= 2);
        }
        DomainChannel third = backend.openQrexecChannel("work");
        try {
            HypervisorException busy = assertThrows(HypervisorException.class, () -> backend.openQrexecChannel("work"));
            assertTrue(busy.getMessage().contains("already open"), busy.getMessage());
        } finally {
            third.close();
        }
    }

    @Test
    void channelTheAgentGaveUpIsReplacedByItsNewConnection() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        DomainChannel abandoned = backend.openQrexecChannel("work");
        // a mux preamble with an unknown version: the agent drops this connection and reconnects
        byte[] preamble = new byte[16];
        System.arraycopy("BHQRXMUX".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, preamble, 0, 8);
        preamble[8] = 99;
        preamble[14] = 4; // window 256 KiB, little-endian
        abandoned.output().write(preamble);
        abandoned.output().flush();
        assertEquals(-1, abandoned.input().read(), "the agent closed its end");
        assertTrue(((LocalDomainChannel) abandoned).isOpen(), "still open on dom0's side");

        DomainChannel[] replacement = new DomainChannel[1];
        await("the agent's new connection is handed out", () -> {
            try {
                replacement[0] = backend.openQrexecChannel("work");
                return true;
            } catch (HypervisorException | java.io.IOException stillOpen) {
                return false; // not reconnected yet
            }
        });
        try (DomainChannel channel = replacement[0]) {
            assertTrue(exchangeHellos(channel) >= 2);
        }
        assertFalse(((LocalDomainChannel) abandoned).isOpen(), "the backend closed the abandoned channel");
    }

    @Test
    void onlyTheQrexecChannelExists() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        HypervisorException e = assertThrows(HypervisorException.class, () -> backend.openChannel("work", "qubesdb"));
        assertTrue(e.getMessage().contains("only the qrexec channel"), e.getMessage());
        HypervisorException undeclared = assertThrows(HypervisorException.class, () -> backend.openChannel("work", "other"));
        assertTrue(undeclared.getMessage().contains("has no channel 'other'"), undeclared.getMessage());
    }

    @Test
    void pauseStopsTheAgentProcessAndUnpauseResumesIt() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        long pid = requireAgentProcess(files("work").qrexecSocket()).pid();

        backend.pause("work");
        assertEquals(DomainState.PAUSED, backend.state("work"));
        await("the agent is stopped", () -> stateOf(pid) == 'T');
        backend.unpause("work");
        assertEquals(DomainState.RUNNING, backend.state("work"));
        await("the agent runs again", () -> stateOf(pid) != 'T');

        recorder.await("work", DomainState.PAUSED);
        await("resume is reported", () -> recorder.states("work").equals(
                List.of(DomainState.STARTING, DomainState.RUNNING, DomainState.PAUSED, DomainState.RUNNING)));
        try (DomainChannel channel = backend.openQrexecChannel("work")) {
            assertTrue(exchangeHellos(channel) >= 2, "the resumed agent still answers");
        }
    }

    @Test
    void shutdownEndsTheAgentAndLeavesOnlyTheConsoleLog() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        ProcessHandle agent = requireAgentProcess(files("work").qrexecSocket());
        try (DomainChannel channel = backend.openQrexecChannel("work")) {
            exchangeHellos(channel);
        }
        await("the agent listens on client.sock", () -> Files.exists(files("work").clientSocket()));

        assertTrue(backend.shutdown("work", Duration.ofSeconds(15)));

        assertFalse(agent.isAlive());
        assertEquals(DomainState.SHUTOFF, backend.state("work"));
        assertEquals(Map.of("work", DomainState.SHUTOFF), backend.domains());
        assertNothingLeftBut(files("work"));
        TestQubes.Event end = recorder.await("work", DomainState.SHUTOFF);
        assertEquals("shut down by host", end.reason());
        assertTrue(recorder.states("work").contains(DomainState.SHUTTING_DOWN), recorder.events.toString());
        assertTrue(Files.readString(files("work").consoleLog()).contains("starting the agent of work"));
        assertEquals(files("work").consoleLog(), backend.consoleLog("work").orElseThrow());
    }

    @Test
    void shutdownOfAPausedQubeStillEndsIt() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        ProcessHandle agent = requireAgentProcess(files("work").qrexecSocket());
        backend.pause("work");

        assertTrue(backend.shutdown("work", Duration.ofSeconds(15)));
        assertFalse(agent.isAlive());
    }

    @Test
    void killEndsTheAgentAtOnceAndLeavesNoSocket() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        ProcessHandle agent = requireAgentProcess(files("work").qrexecSocket());
        DomainChannel channel = backend.openQrexecChannel("work");

        backend.kill("work");

        assertFalse(agent.isAlive());
        assertEquals(DomainState.SHUTOFF, backend.state("work"));
        assertEquals(-1, channel.input().read(), "the handed-out channel ends with the qube");
        assertNothingLeftBut(files("work"));
        assertEquals("killed by host", recorder.await("work", DomainState.SHUTOFF).reason());
        assertTrue(recorder.states("work").contains(DomainState.DYING));
        backend.kill("work"); // a no-op now
    }

    @Test
    void qubeCanBeStartedAgainAfterItStopped() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        long firstPid = requireAgentProcess(files("work").qrexecSocket()).pid();
        backend.kill("work");
        backend.define(spec("work", tmp).build());
        backend.start("work");
        assertNotEquals(firstPid, requireAgentProcess(files("work").qrexecSocket()).pid());
        try (DomainChannel channel = backend.openQrexecChannel("work")) {
            assertTrue(exchangeHellos(channel) >= 2);
        }
    }

    @Test
    void agentKilledFromOutsideIsReportedAsCrashed() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        ProcessHandle agent = requireAgentProcess(files("work").qrexecSocket());

        assertTrue(agent.destroyForcibly());

        TestQubes.Event crash = recorder.await("work", DomainState.CRASHED);
        assertTrue(crash.reason().contains("status 137"), crash.reason());
        assertEquals(DomainState.SHUTOFF, backend.state("work"));
        assertNothingLeftBut(files("work"));
        assertThrows(HypervisorException.class, () -> backend.openQrexecChannel("work"));
    }

    @Test
    void startWithoutAnyAgentJarFailsNamingBothSettings() throws Exception {
        // activation works without a jar: only starting a qube needs it
        try (LocalHypervisor unconfigured = LocalHypervisor.create(Map.of("runDir", tmp.resolve("bare").toString()),
                key -> null)) {
            unconfigured.define(spec("work", tmp).build());
            HypervisorException e = assertThrows(HypervisorException.class, () -> unconfigured.start("work"));
            assertTrue(e.getMessage().contains("agentJar") && e.getMessage().contains("bulkhead.agent.jar"), e.getMessage());
            assertEquals(DomainState.SHUTOFF, unconfigured.state("work"));
            assertFalse(Files.exists(tmp.resolve("bare").resolve("work").resolve("qrexec.sock")));
        }
    }

    @Test
    void startWithAnAgentJarThatDoesNotExistNamesThePath() {
        Path missing = tmp.resolve("nowhere/bulkhead-agent.jar");
        try (LocalHypervisor broken = TestQubes.backend(tmp.resolve("run2"), Map.of("agentJar", missing.toString()))) {
            broken.define(spec("work", tmp).build());
            HypervisorException e = assertThrows(HypervisorException.class, () -> broken.start("work"));
            assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("agentJar"), e.getMessage());
        }
    }

    @Test
    void agentJarMayComeFromTheFrameworkProperty() throws Exception {
        String jar = TestQubes.agentJar().toString();
        try (LocalHypervisor fromProperty = LocalHypervisor.create(Map.of("runDir", tmp.resolve("prop").toString()),
                key -> key.equals("bulkhead.agent.jar") ? jar : null)) {
            fromProperty.define(spec("work", tmp).build());
            fromProperty.start("work");
            try (DomainChannel channel = fromProperty.openQrexecChannel("work")) {
                assertTrue(exchangeHellos(channel) >= 2);
            }
        }
    }

    @Test
    void networkLinksAreRefusedAtStart() {
        backend.define(spec("work", tmp).network(new NetworkLink("sys-firewall", "00:16:3e:5e:6c:00", "10.137.0.5",
                "10.138.0.1", "255.255.255.255", List.of("10.139.1.1"))).build());
        HypervisorException e = assertThrows(HypervisorException.class, () -> backend.start("work"));
        assertTrue(e.getMessage().contains("no network") && e.getMessage().contains("sys-firewall")
                && e.getMessage().contains("set netvm to ''"), e.getMessage());
        assertEquals(DomainState.SHUTOFF, backend.state("work"));
        assertTrue(recorder.events.isEmpty(), recorder.events.toString());
    }

    @Test
    void runningDomainCannotBeRedefinedOrUndefined() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.start("work");
        HypervisorException redefine = assertThrows(HypervisorException.class, () -> backend.define(spec("work", tmp).build()));
        assertTrue(redefine.getMessage().contains("cannot redefine"), redefine.getMessage());
        assertThrows(HypervisorException.class, () -> backend.undefine("work"));
        HypervisorException twice = assertThrows(HypervisorException.class, () -> backend.start("work"));
        assertTrue(twice.getMessage().contains("already RUNNING"), twice.getMessage());

        backend.kill("work");
        backend.undefine("work");
        assertEquals(Map.of(), backend.domains());
        assertFalse(Files.exists(files("work").directory()), "undefine removes the console log and the directory");
        assertThrows(DomainNotFoundException.class, () -> backend.start("work"));
        assertThrows(DomainNotFoundException.class, () -> backend.consoleLog("work"));
    }

    @Test
    void namesThatAreNotOnePathComponentAreRefused() {
        for (String name : List.of("../evil", "a/b", ".hidden")) {
            HypervisorException e = assertThrows(HypervisorException.class, () -> backend.define(spec(name, tmp).build()));
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void snapshotsAndDevicesAreNotSupported() {
        backend.define(spec("work", tmp).build());
        assertFalse(backend.capabilities().supports(Capability.SNAPSHOT));
        assertTrue(backend.capabilities().supports(Capability.PAUSE));
        assertFalse(backend.capabilities().supports(Capability.NETWORK));
        CapabilityNotSupportedException save = assertThrows(CapabilityNotSupportedException.class,
                () -> backend.saveSnapshot("work", tmp.resolve("snap")));
        assertEquals(Capability.SNAPSHOT, save.capability());
        assertThrows(CapabilityNotSupportedException.class,
                () -> backend.restoreSnapshot(spec("work", tmp).build(), tmp.resolve("snap")));
        CapabilityNotSupportedException usb = assertThrows(CapabilityNotSupportedException.class,
                () -> backend.attachDevice("work", new DeviceSpec("usb", "sys-usb", "2-1", Map.of())));
        assertEquals(Capability.USB_PASSTHROUGH, usb.capability());
        CapabilityNotSupportedException pci = assertThrows(CapabilityNotSupportedException.class,
                () -> backend.detachDevice("work", new DeviceSpec("pci", "dom0", "00_14.0", Map.of())));
        assertEquals(Capability.PCI_PASSTHROUGH, pci.capability());
        assertEquals("local", backend.id());
    }

    @Test
    void pauseOfAStoppedQubeIsAnError() {
        backend.define(spec("work", tmp).build());
        HypervisorException e = assertThrows(HypervisorException.class, () -> backend.pause("work"));
        assertTrue(e.getMessage().contains("not running"), e.getMessage());
        assertThrows(DomainNotFoundException.class, () -> backend.pause("nobody"));
    }

    @Test
    void deactivationKillsEveryAgentAndRefusesNewWork() throws Exception {
        backend.define(spec("work", tmp).build());
        backend.define(spec("vault", tmp).build());
        backend.start("work");
        backend.start("vault");
        ProcessHandle work = requireAgentProcess(files("work").qrexecSocket());
        ProcessHandle vault = requireAgentProcess(files("vault").qrexecSocket());

        backend.close();

        assertFalse(work.isAlive());
        assertFalse(vault.isAlive());
        assertNothingLeftBut(files("work"));
        assertNothingLeftBut(files("vault"));
        HypervisorException e = assertThrows(HypervisorException.class, () -> backend.start("work"));
        assertTrue(e.getMessage().contains("deactivated"), e.getMessage());
    }

    private static void assertNothingLeftBut(RunFiles files) throws Exception {
        try (var entries = Files.list(files.directory())) {
            assertEquals(List.of(files.consoleLog()), entries.toList(), "left in " + files.directory());
        }
    }

    private static char stateOf(long pid) {
        try {
            return TestQubes.procState(pid);
        } catch (java.io.IOException e) {
            return '?';
        }
    }
}
