package io.bulkhead.hal.kvm.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * The minimal guest template with the stand-in agent (ready line, then echo), for tests that boot
 * real VMs: built (or found up to date) by {@code template/build-minimal.sh --stub-agent} into
 * {@code $CACHE/templates/minimal-stub}, so it is built once and reused, and never fights with
 * the {@code minimal} template that carries the real agent.
 */
final class MinimalTemplate {

    final Path directory;

    private MinimalTemplate(Path directory) {
        this.directory = directory;
    }

    Path vmlinux() {
        return directory.resolve("vmlinux");
    }

    Path initramfs() {
        return directory.resolve("initramfs");
    }

    Path rootImage() {
        return directory.resolve("root.img");
    }

    static Path cacheDirectory() {
        String env = System.getenv("BULKHEAD_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "bulkhead");
    }

    /**
     * Builds or reuses the template; fails the test with the builder's output if that fails (never
     * skips: scripts/install-deps.sh installs what the builder needs, so a failure is a real one).
     */
    static MinimalTemplate buildOrReuse() throws IOException, InterruptedException {
        Path builder = Path.of(System.getProperty("bulkhead.template.builder", "../template/build-minimal.sh"))
                .toAbsolutePath().normalize();
        Assertions.assertTrue(Files.isRegularFile(builder), "template builder not found at " + builder);
        Path log = Files.createTempFile("template-build", ".log");
        try {
            Path out = cacheDirectory().resolve("templates").resolve("minimal-stub");
            Process build = new ProcessBuilder("bash", builder.toString(), "--stub-agent", "--out", out.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean finished = build.waitFor(15, TimeUnit.MINUTES);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.print(output);
            if (!finished) {
                build.destroyForcibly();
            }
            Assertions.assertTrue(finished && build.exitValue() == 0,
                    "the minimal template cannot be built here, so no VM can boot (" + builder + "):\n" + output);
        } finally {
            Files.deleteIfExists(log);
        }
        return new MinimalTemplate(cacheDirectory().resolve("templates").resolve("minimal-stub"));
    }
}
