package io.bulkhead.bench.kvm;

import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainChannel;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.VolumeSpec;
import io.bulkhead.hal.kvm.internal.KvmHypervisor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./bulkhead bench kvm [--cold N] [--restores N] [--unpauses N] [--rtts N]}: wall-clock
 * figures of the QEMU backend with the minimal template and the stand-in agent
 * ({@code $CACHE/templates/minimal-stub}, built or reused first):
 * <ul>
 * <li>cold start: {@code start()} to the agent's ready line on the virtio-serial channel;</li>
 * <li>snapshot restore: {@code restoreSnapshot()} + {@code unpause()} to the first echo;</li>
 * <li>unpause of a paused VM to the first echo;</li>
 * <li>echo round trip through the channel into a running VM (1 byte and 1 KiB).</li>
 * </ul>
 * Runs one VM at a time. Prints the accelerator and how it was chosen.
 */
public final class Bench {

    private static final String READY = "BULKHEAD-AGENT-READY\n";

    private final KvmHypervisor hypervisor;
    private final Path template;
    private final Path work;

    private Bench(KvmHypervisor hypervisor, Path template, Path work) {
        this.hypervisor = hypervisor;
        this.template = template;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        int cold = intOption(args, "--cold", 3);
        int restores = intOption(args, "--restores", 5);
        int unpauses = intOption(args, "--unpauses", 10);
        int rtts = intOption(args, "--rtts", 200);
        Path template = buildTemplate();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "bench-kvm-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        try (KvmHypervisor hypervisor = KvmHypervisor.create(Map.of("accelerator", "auto",
                "probeKernel", template.resolve("vmlinux").toString(),
                "probeInitrd", template.resolve("initramfs").toString()))) {
            System.out.println("accelerator: " + hypervisor.acceleratorReport());
            System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
                    + loadAverage());
            new Bench(hypervisor, template, work).run(cold, restores, unpauses, rtts);
        } finally {
            deleteTree(work);
        }
    }

    private void run(int cold, int restores, int unpauses, int rtts) throws Exception {
        List<Double> coldStarts = new ArrayList<>();
        for (int i = 0; i < cold; i++) {
            DomainSpec spec = spec("cold" + i);
            hypervisor.define(spec);
            long t0 = System.nanoTime();
            hypervisor.start(spec.name());
            try (DomainChannel channel = hypervisor.openQrexecChannel(spec.name())) {
                awaitText(channel, READY, 120_000);
                coldStarts.add(millisSince(t0));
            }
            hypervisor.kill(spec.name());
            hypervisor.undefine(spec.name());
        }
        report("cold start -> agent ready", coldStarts, "ms");

        // the snapshot of an idle, warm VM is the disposable-VM "savefile"
        DomainSpec base = spec("disp");
        hypervisor.define(base);
        hypervisor.start(base.name());
        Path snapshot = work.resolve("disp.snapshot");
        List<Double> rtt1 = new ArrayList<>();
        List<Double> rtt1k = new ArrayList<>();
        try (DomainChannel channel = hypervisor.openQrexecChannel(base.name())) {
            awaitText(channel, READY, 120_000);
            roundTrips(channel, rtts, 1, rtt1);
            roundTrips(channel, rtts, 1024, rtt1k);
            Thread.sleep(500);
            long t0 = System.nanoTime();
            hypervisor.saveSnapshot(base.name(), snapshot);
            System.out.printf(Locale.ROOT, "snapshot save: %.0f ms, %d MB%n", millisSince(t0),
                    Files.size(snapshot) >> 20);
        }
        report("echo round trip, 1 B", rtt1, "ms");
        report("echo round trip, 1 KiB", rtt1k, "ms");

        List<Double> restoreToEcho = new ArrayList<>();
        List<Double> restoreToPaused = new ArrayList<>();
        for (int i = 0; i < restores; i++) {
            long t0 = System.nanoTime();
            hypervisor.restoreSnapshot(base, snapshot);
            restoreToPaused.add(millisSince(t0));
            try (DomainChannel channel = hypervisor.openQrexecChannel(base.name())) {
                hypervisor.unpause(base.name());
                echoOnce(channel, "restore" + i);
                restoreToEcho.add(millisSince(t0));
            }
            if (i < restores - 1) {
                hypervisor.kill(base.name());
            }
        }
        report("snapshot restore -> paused", restoreToPaused, "ms");
        report("snapshot restore -> first echo", restoreToEcho, "ms");

        List<Double> unpauseToEcho = new ArrayList<>();
        try (DomainChannel channel = hypervisor.openQrexecChannel(base.name())) {
            for (int i = 0; i < unpauses; i++) {
                hypervisor.pause(base.name());
                Thread.sleep(50);
                long t0 = System.nanoTime();
                hypervisor.unpause(base.name());
                echoOnce(channel, "u" + i);
                unpauseToEcho.add(millisSince(t0));
            }
        }
        report("unpause -> first echo", unpauseToEcho, "ms");

        long t0 = System.nanoTime();
        boolean clean = hypervisor.shutdown(base.name(), java.time.Duration.ofSeconds(60));
        System.out.printf(Locale.ROOT, "ACPI shutdown -> QEMU exit: %.0f ms (%s)%n", millisSince(t0),
                clean ? "clean" : "timed out, killed");
        if (!clean) {
            hypervisor.kill(base.name());
        }
    }

    private DomainSpec spec(String name) throws IOException, InterruptedException {
        Path run = Files.createDirectories(work.resolve(name));
        return DomainSpec.builder(name, UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)), run)
                .memory(256, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(template.resolve("vmlinux"), Optional.of(template.resolve("initramfs")),
                        "panic=-1 quiet tsc=reliable"))
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

    private static void roundTrips(DomainChannel channel, int count, int size, List<Double> into) throws IOException {
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'x');
        byte[] back = new byte[size];
        OutputStream out = channel.output();
        InputStream in = channel.input();
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            out.write(payload);
            out.flush();
            int got = 0;
            while (got < size) {
                int n = in.read(back, got, size - got);
                if (n < 0) {
                    throw new IOException("channel closed during round trip");
                }
                got += n;
            }
            into.add(millisSince(t0));
        }
    }

    /** Sends a token and waits for it to come back (a ready line may come first after a restore). */
    private static void echoOnce(DomainChannel channel, String token) throws IOException {
        channel.output().write(token.getBytes(StandardCharsets.US_ASCII));
        channel.output().flush();
        awaitText(channel, token, 30_000);
    }

    private static void awaitText(DomainChannel channel, String text, long timeoutMillis) throws IOException {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        InputStream in = channel.input();
        byte[] buffer = new byte[256];
        while (seen.indexOf(text) < 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no '" + text.strip() + "' within " + timeoutMillis + " ms, got: " + seen);
            }
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("channel closed before '" + text.strip() + "', got: " + seen);
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
    }

    private static void report(String what, List<Double> samples, String unit) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        double p50 = percentile(sorted, 50);
        double p90 = percentile(sorted, 90);
        System.out.printf(Locale.ROOT, "%-34s n=%-4d min %8.2f  p50 %8.2f  p90 %8.2f  max %8.2f %s%n", what + ":",
                sorted.size(), sorted.get(0), p50, p90, sorted.get(sorted.size() - 1), unit);
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Runs template/build-minimal.sh (a no-op when up to date) and returns the template directory. */
    private static Path buildTemplate() throws IOException, InterruptedException {
        Path builder = Path.of(System.getProperty("bulkhead.template.builder", "template/build-minimal.sh"));
        if (!Files.isRegularFile(builder)) {
            throw new IOException("template builder " + builder.toAbsolutePath()
                    + " not found: run from the repository root or set -Dbulkhead.template.builder=");
        }
        String cache = System.getenv("BULKHEAD_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "bulkhead");
        // the stand-in agent answers with a ready line and echoes: what these figures measure
        Path out = root.resolve("templates").resolve("minimal-stub");
        Process build = new ProcessBuilder("bash", builder.toString(), "--stub-agent", "--out", out.toString())
                .inheritIO().start();
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

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
