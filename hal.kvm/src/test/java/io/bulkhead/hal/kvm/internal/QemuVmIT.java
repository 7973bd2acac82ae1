package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.HypervisorException;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the real minimal template under QEMU (TCG on the CI machines). One cold boot serves the
 * whole life-cycle test, to keep CPU time low: every later VM is a restore of its snapshot.
 */
class QemuVmIT {

    private static final String READY = "BULKHEAD-AGENT-READY\n";
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);

    private static MinimalTemplate template;
    private static KvmHypervisor hypervisor;
    private static final List<String> events = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void buildTemplateAndStartBackend() throws Exception {
        template = MinimalTemplate.buildOrReuse();
        // QEMU drops to an unprivileged user when the tests run as root; it must reach the run dirs.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        hypervisor = KvmHypervisor.create(Map.of("accelerator", "auto", "probeKernel", template.vmlinux().toString(),
                "probeInitrd", template.initramfs().toString()));
        hypervisor.addStateListener((domain, state, reason) -> events.add(domain + ":" + state + ":" + reason));
        System.out.println("hal.kvm IT accelerator: " + hypervisor.acceleratorReport());
    }

    @AfterAll
    static void stopBackend() {
        if (hypervisor != null) {
            hypervisor.close();
        }
    }

    private static DomainSpec spec(String name) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        Path privateImage = dir.resolve(name + "-private.img");
        Path volatileImage = dir.resolve(name + "-volatile.img");
        if (!Files.exists(privateImage)) {
            try (RandomAccessFile f = new RandomAccessFile(privateImage.toFile(), "rw")) {
                f.setLength(32L << 20);
            }
            try (RandomAccessFile f = new RandomAccessFile(volatileImage.toFile(), "rw")) {
                f.setLength(32L << 20);
            }
        }
        return DomainSpec.builder(name, UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)), run)
                .memory(256, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(template.vmlinux(), Optional.of(template.initramfs()),
                        "panic=-1 quiet tsc=reliable"))
                .volume(VolumeSpec.of("root", template.rootImage(), DiskFormat.RAW, true))
                .volume(VolumeSpec.of("private", privateImage, DiskFormat.RAW, false))
                .volume(VolumeSpec.of("volatile", volatileImage, DiskFormat.RAW, false))
                .channel("qrexec")
                .build();
    }

    @Test
    void coldBootPauseSnapshotRestoreShutdownAndKillLeaveNothingBehind() throws Exception {
        DomainSpec work = spec("work");
        Path snapshot = dir.resolve("work.snapshot");
        hypervisor.define(work);

        // cold boot to the agent's ready line on the virtio-serial channel
        long started = System.nanoTime();
        hypervisor.start("work");
        assertEquals(DomainState.RUNNING, hypervisor.state("work"));
        try (GuestChannel channel = new GuestChannel(hypervisor.openQrexecChannel("work"))) {
            HypervisorException second = assertThrows(HypervisorException.class,
                    () -> hypervisor.openQrexecChannel("work"));
            assertTrue(second.getMessage().contains("already open"), second.getMessage());
            channel.await(READY, BOOT_TIMEOUT);
            System.out.printf("hal.kvm IT: cold boot to agent ready %.2f s%n", (System.nanoTime() - started) / 1e9);
            channel.send("ping-1");
            channel.await("ping-1", Duration.ofSeconds(5));

            // paused: the guest cannot echo; resumed: it does
            hypervisor.pause("work");
            assertEquals(DomainState.PAUSED, hypervisor.state("work"));
            channel.send("ping-2");
            assertFalse(channel.tryAwait("ping-2", Duration.ofMillis(400)), "a paused guest must not run");
            hypervisor.unpause("work");
            assertEquals(DomainState.RUNNING, hypervisor.state("work"));
            channel.await("ping-2", Duration.ofSeconds(5));

            // snapshot: QEMU streams the state out and exits
            hypervisor.saveSnapshot("work", snapshot);
        }
        assertEquals(DomainState.SHUTOFF, hypervisor.state("work"));
        assertTrue(Files.size(snapshot) > 1_000_000, "snapshot holds guest memory: " + Files.size(snapshot));
        assertNoQemuFor(work);

        // restore #1: paused until unpaused, then the agent answers; then kill
        restoreAndEcho(work, snapshot, "ping-3");
        hypervisor.kill("work");
        assertEquals(DomainState.SHUTOFF, hypervisor.state("work"));
        assertNoQemuFor(work);
        awaitEvent("work:SHUTOFF:killed by host");

        // restore #2, then a graceful ACPI shutdown: the guest powers itself off cleanly
        restoreAndEcho(work, snapshot, "ping-4");
        assertTrue(hypervisor.shutdown("work", Duration.ofSeconds(60)), "guest did not power off on the ACPI button");
        assertEquals(DomainState.SHUTOFF, hypervisor.state("work"));
        assertNoQemuFor(work);
        awaitEvent("work:SHUTOFF:guest shutdown");
        byte[] superblock = readPrivateSuperblock(dir.resolve("work-private.img"));
        assertEquals(0xEF53, (superblock[56] & 0xff) | (superblock[57] & 0xff) << 8, "init formatted private as ext2/4");
        assertEquals(1, (superblock[58] & 0xff) | (superblock[59] & 0xff) << 8,
                "private was unmounted cleanly at shutdown (s_state = clean)");
        List<String> console = Files.readAllLines(hypervisor.consoleLog("work").orElseThrow(), StandardCharsets.ISO_8859_1);
        assertTrue(console.stream().anyMatch(l -> l.contains("bulkhead: shutting down")), String.join("\n", console));

        assertEventsInOrder("work:STARTING:booting", "work:RUNNING:booted", "work:PAUSED:", "work:RUNNING:",
                "work:SHUTOFF:state saved to", "work:STARTING:restoring from", "work:PAUSED:restored from",
                "work:RUNNING:", "work:SHUTOFF:killed by host", "work:PAUSED:restored from", "work:RUNNING:",
                "work:SHUTTING_DOWN:ACPI power button", "work:SHUTOFF:guest shutdown");
    }

    @Test
    void startFailureIsCleanedUpAndShowsQemuOutput() throws Exception {
        DomainSpec good = spec("broken");
        DomainSpec broken = DomainSpec.builder("broken", good.uuid(), good.runDirectory()).memory(128, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(dir.resolve("no-such-vmlinux"), Optional.empty(), ""))
                .channel("qrexec").build();
        hypervisor.define(broken);
        HypervisorException e = assertThrows(HypervisorException.class, () -> hypervisor.start("broken"));
        assertTrue(e.getMessage().contains("cannot start domain broken"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-vmlinux"), "QEMU's own complaint is shown: " + e.getMessage());
        assertEquals(DomainState.SHUTOFF, hypervisor.state("broken"));
        assertNoQemuFor(broken);
    }

    @Test
    void asRootARestoreIntoARunDirectoryQemuCannotReachIsRefusedUpFront() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(HostEnvironment.runningAsRoot(),
                "only as root does QEMU switch to an unprivileged user");
        Path closed = Files.createDirectories(dir.resolve("closed"));
        Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        DomainSpec template = spec("hidden");
        DomainSpec hidden = DomainSpec.builder("hidden", template.uuid(), closed.resolve("hidden"))
                .memory(256, 0).vcpus(1).boot(template.boot()).channel("qrexec").build();
        Path snapshot = Files.writeString(dir.resolve("fake.snapshot"), "not a snapshot");
        HypervisorException e = assertThrows(HypervisorException.class, () -> hypervisor.restoreSnapshot(hidden, snapshot));
        assertTrue(e.getMessage().contains("domain hidden: cannot restore a snapshot")
                && e.getMessage().contains(closed + " is mode rwx------"), e.getMessage());
        assertNoQemuFor(hidden);
    }

    private void restoreAndEcho(DomainSpec spec, Path snapshot, String ping) throws Exception {
        long started = System.nanoTime();
        hypervisor.restoreSnapshot(spec, snapshot);
        assertEquals(DomainState.PAUSED, hypervisor.state(spec.name()));
        try (GuestChannel channel = new GuestChannel(hypervisor.openQrexecChannel(spec.name()))) {
            hypervisor.unpause(spec.name());
            channel.send(ping);
            channel.await(ping, Duration.ofSeconds(10));
            System.out.printf("hal.kvm IT: restore to first echo %.3f s%n", (System.nanoTime() - started) / 1e9);
        }
    }

    private static byte[] readPrivateSuperblock(Path image) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            byte[] superblock = new byte[1024];
            f.seek(1024);
            f.readFully(superblock);
            return superblock;
        }
    }

    /** No process whose command line mentions the domain's run directory, and no socket left in it. */
    private static void assertNoQemuFor(DomainSpec spec) throws IOException {
        String marker = spec.runDirectory().toString();
        List<String> survivors = new ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    String cmdline = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(marker)) {
                        survivors.add(process.getFileName() + ": " + cmdline.replace('\0', ' '));
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        assertEquals(List.of(), survivors, "QEMU processes left behind");
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(spec.runDirectory(), "*.sock")) {
            List<String> left = new ArrayList<>();
            sockets.forEach(s -> left.add(s.getFileName().toString()));
            assertEquals(List.of(), left, "sockets left in " + spec.runDirectory());
        }
    }

    private static void awaitEvent(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (events.stream().anyMatch(e -> e.startsWith(prefix))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no state event starting with '" + prefix + "' in " + events);
    }

    /** The state events contain these, in this order (others may come in between). */
    private static void assertEventsInOrder(String... prefixes) {
        int next = 0;
        for (String event : events) {
            if (next < prefixes.length && event.startsWith(prefixes[next])) {
                next++;
            }
        }
        assertEquals(prefixes.length, next, "missing state event '" + (next < prefixes.length ? prefixes[next] : "")
                + "' (in order) in " + events);
    }

}
