package io.bulkhead.hal.kvm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulkhead.core.domains.hal.Accelerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides between KVM and TCG by booting a guest, because {@code /dev/kvm} existing proves
 * nothing: on PVM hosts (like the CI machines) {@code KVM_RUN} works but stock kernels never reach
 * userspace. The probe boots the template kernel under {@code -accel kvm} with
 * {@code bulkhead.probe=1}, whose init prints {@value #MARKER} and powers off; seeing the marker
 * within the timeout means KVM really runs guests. The verdict is cached in a JSON file keyed by
 * everything that could change it (host kernel, QEMU binary, probe kernel).
 */
final class AcceleratorProbe {

    static final String MARKER = "BULKHEAD-PROBE-OK";

    /**
     * Outcome of a probe.
     *
     * @param accelerator what domains will use
     * @param reason      why, in one sentence (reported to users)
     * @param fromCache   whether it came from the cache file
     */
    record Verdict(Accelerator accelerator, String reason, boolean fromCache) {
    }

    private final Path qemu;
    private final Path kvmDevice;
    private final Path pvmModule;
    private final Optional<Path> kernel;
    private final Optional<Path> initrd;
    private final Path cacheFile;
    private final Duration timeout;
    private final ObjectMapper mapper;

    AcceleratorProbe(Path qemu, Path kvmDevice, Path pvmModule, Optional<Path> kernel, Optional<Path> initrd,
            Path cacheFile, Duration timeout, ObjectMapper mapper) {
        this.qemu = qemu;
        this.kvmDevice = kvmDevice;
        this.pvmModule = pvmModule;
        this.kernel = kernel;
        this.initrd = initrd;
        this.cacheFile = cacheFile;
        this.timeout = timeout;
        this.mapper = mapper;
    }

    /** Runs the probe unless the cache answers. Never throws: any doubt means TCG. */
    Verdict probe() {
        if (!Files.exists(kvmDevice)) {
            return new Verdict(Accelerator.TCG, "no " + kvmDevice + " on this host", false);
        }
        if (!Files.isReadable(kvmDevice) || !Files.isWritable(kvmDevice)) {
            return new Verdict(Accelerator.TCG, kvmDevice + " is not read/writable by this user", false);
        }
        if (kernel.isEmpty() || !Files.isRegularFile(kernel.get()) || initrd.isEmpty() || !Files.isRegularFile(initrd.get())) {
            return new Verdict(Accelerator.TCG, "KVM not verified: no probe kernel/initramfs (build the minimal template: "
                    + "template/build-minimal.sh)", false);
        }
        String key = cacheKey();
        Optional<Verdict> cached = readCache(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        Verdict verdict = bootProbeGuest();
        writeCache(key, verdict);
        return verdict;
    }

    private Verdict bootProbeGuest() {
        Accelerator flavour = Files.exists(pvmModule) ? Accelerator.PVM : Accelerator.KVM;
        List<String> command = List.of(qemu.toString(), "-nodefaults", "-no-user-config", "-no-reboot",
                "-display", "none", "-machine", "microvm", "-accel", "kvm", "-m", "128M", "-smp", "1",
                "-kernel", kernel.get().toString(), "-initrd", initrd.get().toString(),
                "-append", "console=ttyS0 panic=-1 quiet bulkhead.probe=1", "-serial", "stdio");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            return new Verdict(Accelerator.TCG, "KVM probe could not start QEMU: " + e.getMessage(), false);
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean sawMarker = new AtomicBoolean();
        Deque<String> lastLines = new ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.ISO_8859_1))) {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (lastLines) {
                        lastLines.addLast(line);
                        if (lastLines.size() > 3) {
                            lastLines.removeFirst();
                        }
                    }
                    if (line.contains(MARKER)) {
                        sawMarker.set(true);
                        break;
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            } finally {
                done.countDown();
            }
        }, "kvm-probe");
        reader.setDaemon(true);
        reader.start();
        long started = System.nanoTime();
        try {
            done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (sawMarker.get()) {
            return new Verdict(flavour, "a guest reached userspace under " + flavour.name().toLowerCase()
                    + " in " + millis + " ms", false);
        }
        String last;
        synchronized (lastLines) {
            last = String.join(" | ", lastLines);
        }
        return new Verdict(Accelerator.TCG, "KVM" + (flavour == Accelerator.PVM ? " (PVM)" : "")
                + " present but the probe guest did not reach userspace within " + timeout.toSeconds() + " s"
                + (last.isEmpty() ? "" : " (last output: " + last + ")") + "; using TCG", false);
    }

    private String cacheKey() {
        return String.join("|", hostKernel(), describe(qemu), describe(kernel.get()), describe(initrd.get()),
                Files.exists(pvmModule) ? "pvm" : "kvm");
    }

    private static String hostKernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown-kernel";
        }
    }

    private static String describe(Path file) {
        try {
            return file.toRealPath() + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return file + ":missing";
        }
    }

    /** The cache file maps each key to its verdict, so probes with different kernels do not evict each other. */
    private ObjectNode readCacheFile() {
        try {
            JsonNode cached = mapper.readTree(cacheFile.toFile());
            if (cached != null && cached.path("verdicts").isObject()) {
                return (ObjectNode) cached;
            }
        } catch (IOException e) {
            // no cache, or unreadable: start a new one
        }
        ObjectNode fresh = mapper.createObjectNode();
        fresh.putObject("verdicts");
        return fresh;
    }

    private Optional<Verdict> readCache(String key) {
        JsonNode cached = readCacheFile().path("verdicts").path(key);
        if (cached.isObject()) {
            try {
                Accelerator accelerator = Accelerator.valueOf(cached.path("accelerator").asText());
                return Optional.of(new Verdict(accelerator, cached.path("reason").asText() + " (cached "
                        + cached.path("probed").asText() + ")", true));
            } catch (IllegalArgumentException e) {
                // from another version: probe again
            }
        }
        return Optional.empty();
    }

    private void writeCache(String key, Verdict verdict) {
        try {
            Files.createDirectories(cacheFile.getParent());
            ObjectNode file = readCacheFile();
            ObjectNode node = ((ObjectNode) file.get("verdicts")).putObject(key);
            node.put("accelerator", verdict.accelerator().name());
            node.put("reason", verdict.reason());
            node.put("probed", Instant.now().toString());
            Path temp = cacheFile.resolveSibling(cacheFile.getFileName() + ".tmp");
            mapper.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), file);
            Files.move(temp, cacheFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // not cached: the next activation probes again
        }
    }
}
