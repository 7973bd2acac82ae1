package io.bulkhead.bench.kvm;

import io.bulkhead.bench.QrexecSettings;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.VolumeSpec;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.internal.DomainChannelAdapter;
import io.bulkhead.core.qrexec.internal.QrexecDaemon;
import io.bulkhead.hal.kvm.internal.KvmHypervisor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./bulkhead bench kvm [OPTIONS]}: wall-clock figures of real qubes on the QEMU backend,
 * with the minimal template and the real guest agent (built or reused first), dom0's qrexec
 * daemon in this JVM:
 * <ul>
 * <li>cold start: {@code start()} to the agent's qrexec hello, and to the end of a first command;</li>
 * <li>snapshot restore: {@code restoreSnapshot()} + {@code unpause()} to the hello and to a first
 * command (the snapshot is of an idle agent waiting for dom0, as a disposable's savefile);</li>
 * <li>unpause of a paused qube to the end of a first command;</li>
 * <li>command round trip into a running qube ({@code echo} through qrexec, output and exit code
 * back), during the agent's warm-up (its JIT), then back to back and with a pause between calls.</li>
 * </ul>
 * Runs one qube at a time. Prints the accelerator and how it was chosen.
 */
public final class Bench {

    private static final String USAGE = "usage: bulkhead bench kvm [--cold N] [--restores N] [--unpauses N] [--calls N]"
            + " [--pause-ms MS] [--user USER] [--vcpus N] [--warm-up N] [--agent-timing]";
    private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(120);

    private final KvmHypervisor hypervisor;
    private final QrexecDaemon qrexec;
    private final Path template;
    private final Path work;
    private final String user;
    private final int vcpus;
    private final boolean agentTiming;
    private int domainIds = 1;

    private Bench(KvmHypervisor hypervisor, QrexecDaemon qrexec, Path template, Path work, String user, int vcpus,
            boolean agentTiming) {
        this.hypervisor = hypervisor;
        this.qrexec = qrexec;
        this.template = template;
        this.work = work;
        this.user = user;
        this.vcpus = vcpus;
        this.agentTiming = agentTiming;
    }

    /** What to measure, from the command line. */
    private record Options(int cold, int restores, int unpauses, int calls, int pauseMillis, String user, int vcpus,
            int warmUp, boolean agentTiming) {
        static Options parse(String[] args) {
            int cold = 3;
            int restores = 5;
            int unpauses = 10;
            int calls = 100;
            int pause = 100;
            String user = "user";
            int vcpus = 2; // a qube's default
            int warmUp = 200; // the agent's hot path is compiled by then (C1)
            boolean agentTiming = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--cold" -> cold = count(args, ++i, 1);
                    case "--restores" -> restores = count(args, ++i, 1);
                    case "--unpauses" -> unpauses = count(args, ++i, 1);
                    case "--calls" -> calls = count(args, ++i, 1);
                    case "--pause-ms" -> pause = count(args, ++i, 0);
                    case "--user" -> user = value(args, ++i);
                    case "--vcpus" -> vcpus = count(args, ++i, 1);
                    case "--warm-up" -> warmUp = count(args, ++i, 0);
                    case "--agent-timing" -> agentTiming = true;
                    case "-h", "--help" -> throw new UsageException(null);
                    default -> throw new UsageException("unknown option '" + args[i] + "'");
                }
            }
            return new Options(cold, restores, unpauses, calls, pause, user, vcpus, warmUp, agentTiming);
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) {
                throw new UsageException(args[i - 1] + " needs a value");
            }
            return args[i];
        }

        private static int count(String[] args, int i, int min) {
            String v = value(args, i);
            try {
                int n = Integer.parseInt(v);
                if (n >= min) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException(args[i - 1] + " needs a whole number >= " + min + ", not '" + v + "'");
        }
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String problem) {
            super(problem);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() == null) {
                System.out.println(USAGE);
            } else {
                System.err.println("bench kvm: " + e.getMessage());
                System.err.println(USAGE);
            }
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        Path template = buildTemplate();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "bench-kvm-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        try (KvmHypervisor hypervisor = KvmHypervisor.create(Map.of("accelerator", "auto",
                "probeKernel", template.resolve("vmlinux").toString(),
                "probeInitrd", template.resolve("initramfs").toString()))) {
            System.out.println("accelerator: " + hypervisor.acceleratorReport());
            System.out.println("qubes: " + options.vcpus() + " vCPUs, 256 MiB; commands as " + options.user());
            System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
                    + loadAverage());
            QrexecDaemon qrexec = new QrexecDaemon(QrexecSettings.defaults(null));
            new Bench(hypervisor, qrexec, template, work, options.user(), options.vcpus(),
                    options.agentTiming()).run(options);
            System.out.println("load average after: " + loadAverage());
        } finally {
            deleteTree(work);
        }
        // the daemon's executor threads are not daemons
        System.exit(0);
    }

    private void run(Options o) throws Exception {
        List<Double> toHello = new ArrayList<>();
        List<Double> toFirstCommand = new ArrayList<>();
        for (int i = 0; i < o.cold(); i++) {
            DomainSpec spec = spec("cold" + i);
            hypervisor.define(spec);
            long t0 = System.nanoTime();
            hypervisor.start(spec.name());
            attach(spec.name());
            toHello.add(millisSince(t0));
            echo(spec.name(), "first");
            toFirstCommand.add(millisSince(t0));
            qrexec.detach(spec.name());
            hypervisor.kill(spec.name());
            hypervisor.undefine(spec.name());
        }
        report("cold start -> agent hello", toHello);
        report("cold start -> first command done", toFirstCommand);

        DomainSpec base = spec("disp");
        hypervisor.define(base);
        hypervisor.start(base.name());
        attach(base.name());
        List<Double> firstCalls = roundTrips(base.name(), o.warmUp(), 0);
        if (!firstCalls.isEmpty()) {
            report("command round trip, first " + o.warmUp() + " calls", firstCalls);
        }
        AgentTimings timings = new AgentTimings(work.resolve(base.name()).resolve("console.log"));
        int before = agentTiming ? timings.count() : 0;
        List<Double> backToBack = roundTrips(base.name(), o.calls(), 0);
        int between = agentTiming ? timings.count() : 0;
        List<Double> spaced = roundTrips(base.name(), o.calls(), o.pauseMillis());
        report("command round trip, back to back", backToBack);
        report("command round trip, " + o.pauseMillis() + " ms apart", spaced);
        if (agentTiming) {
            timings.report("back to back", before, between);
            timings.report(o.pauseMillis() + " ms apart", between, timings.count());
        }

        // dom0 goes away; the agent waits for it again: the state of a disposable's savefile
        qrexec.detach(base.name());
        Thread.sleep(1000);
        Path snapshot = work.resolve("disp.snapshot");
        long s0 = System.nanoTime();
        hypervisor.saveSnapshot(base.name(), snapshot);
        System.out.printf(Locale.ROOT, "snapshot save: %.0f ms, %d MB%n", millisSince(s0), Files.size(snapshot) >> 20);

        List<Double> restoreToPaused = new ArrayList<>();
        List<Double> restoreToHello = new ArrayList<>();
        List<Double> restoreToCommand = new ArrayList<>();
        for (int i = 0; i < o.restores(); i++) {
            long t0 = System.nanoTime();
            hypervisor.restoreSnapshot(base, snapshot);
            restoreToPaused.add(millisSince(t0));
            CompletableFuture<Void> attached = CompletableFuture.runAsync(() -> {
                try {
                    attach(base.name());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            hypervisor.unpause(base.name());
            attached.get(HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            restoreToHello.add(millisSince(t0));
            echo(base.name(), "restore" + i);
            restoreToCommand.add(millisSince(t0));
            if (i < o.restores() - 1) {
                qrexec.detach(base.name());
                hypervisor.kill(base.name());
            }
        }
        report("snapshot restore -> paused", restoreToPaused);
        report("snapshot restore -> agent hello", restoreToHello);
        report("snapshot restore -> first command done", restoreToCommand);

        List<Double> unpauseToCommand = new ArrayList<>();
        for (int i = 0; i < o.unpauses(); i++) {
            hypervisor.pause(base.name());
            Thread.sleep(50);
            long t0 = System.nanoTime();
            hypervisor.unpause(base.name());
            echo(base.name(), "u" + i);
            unpauseToCommand.add(millisSince(t0));
        }
        report("unpause -> first command done", unpauseToCommand);

        qrexec.detach(base.name());
        long t0 = System.nanoTime();
        boolean clean = hypervisor.shutdown(base.name(), Duration.ofSeconds(60));
        System.out.printf(Locale.ROOT, "ACPI shutdown -> QEMU exit: %.0f ms (%s)%n", millisSince(t0),
                clean ? "clean" : "timed out, killed");
        if (!clean) {
            hypervisor.kill(base.name());
        }
    }

    /** Connects dom0's daemon to the qube's qrexec port; returns once the hellos are exchanged. */
    private void attach(String qube) throws IOException {
        qrexec.attach(qube, domainIds++, new DomainChannelAdapter(hypervisor.openQrexecChannel(qube)));
    }

    private List<Double> roundTrips(String qube, int calls, int pauseMillis) throws Exception {
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
            long t0 = System.nanoTime();
            echo(qube, "rt" + i);
            samples.add(millisSince(t0));
        }
        return samples;
    }

    /** Runs {@code echo TOKEN} in the qube and checks its output and exit code. */
    private void echo(String qube, String token) throws Exception {
        RemoteProcess p = qrexec.exec(qube, user, "echo " + token);
        p.stdin().close();
        String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
        byte[] err = p.stderr().readAllBytes();
        int status = p.waitFor();
        if (status != 0 || !out.equals(token + "\n")) {
            throw new IOException("'echo " + token + "' in " + qube + " as " + user + " gave exit " + status + ", stdout '"
                    + out.strip() + "', stderr '" + new String(err, StandardCharsets.UTF_8).strip() + "'");
        }
    }

    private DomainSpec spec(String name) throws IOException, InterruptedException {
        Path run = Files.createDirectories(work.resolve(name));
        return DomainSpec.builder(name, UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)), run)
                .memory(256, 0).vcpus(vcpus)
                .boot(new DomainSpec.KernelBoot(template.resolve("vmlinux"), Optional.of(template.resolve("initramfs")),
                        "panic=-1 quiet tsc=reliable bulkhead.name=" + name
                                + (agentTiming ? " bulkhead.agent_log=debug" : "")))
                .volume(VolumeSpec.of("root", template.resolve("root.img"), DiskFormat.RAW, true))
                .volume(VolumeSpec.of("private", formattedPrivate(name), DiskFormat.RAW, false))
                .volume(VolumeSpec.of("volatile", sparse(work.resolve(name + "-volatile.img"), 64), DiskFormat.RAW, false))
                .channel("qrexec")
                .build();
    }

    /** A private volume formatted on the host, as the storage pool does (no first-boot mke2fs). */
    private Path formattedPrivate(String name) throws IOException, InterruptedException {
        Path image = sparse(work.resolve(name + "-private.img"), 128);
        Process mkfs = new ProcessBuilder("mkfs.ext4", "-q", "-F", "-L", "private", image.toString())
                .redirectErrorStream(true).start();
        if (!mkfs.waitFor(60, TimeUnit.SECONDS) || mkfs.exitValue() != 0) {
            throw new IOException("mkfs.ext4 failed: " + new String(mkfs.getInputStream().readAllBytes()));
        }
        return image;
    }

    private static Path sparse(Path file, int mib) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength((long) mib << 20);
        }
        return file;
    }

    private static void report(String what, List<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "%-40s n=%-4d min %8.2f  p50 %8.2f  p90 %8.2f  max %8.2f ms%n", what + ":",
                sorted.size(), sorted.get(0), percentile(sorted, 50), percentile(sorted, 90), sorted.get(sorted.size() - 1));
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Runs template/build-minimal.sh with the real agent (a no-op when up to date); returns the template directory. */
    private static Path buildTemplate() throws IOException, InterruptedException {
        Path builder = Path.of(System.getProperty("bulkhead.template.builder", "template/build-minimal.sh"));
        if (!Files.isRegularFile(builder)) {
            throw new IOException("template builder " + builder.toAbsolutePath()
                    + " not found: run from the repository root or set -Dbulkhead.template.builder=");
        }
        String cache = System.getenv("BULKHEAD_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "bulkhead");
        Path out = root.resolve("templates").resolve("minimal");
        Process build = new ProcessBuilder("bash", builder.toString(), "--out", out.toString()).inheritIO().start();
        if (build.waitFor() != 0) {
            throw new IOException("template build failed (exit " + build.exitValue() + ")");
        }
        return out;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
