package io.bulkhead.itest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.QubeClass;

/**
 * The minimal guest template with the real agent, built by {@code template/build-minimal.sh}
 * (cached: rebuilt only when its inputs change) and installed into a dom0 the way a template
 * package would be: kernel into the kernel pool, root image imported into a new TemplateVM.
 */
final class GuestTemplate {
    static final String NAME = "minimal";

    private GuestTemplate() {
    }

    /** Builds or reuses the template; fails with the builder's output when it cannot be built. */
    static Path buildOrReuse() throws IOException, InterruptedException {
        Path builder = Path.of(System.getProperty("bulkhead.template.builder"));
        Path agentJar = Path.of(System.getProperty("bulkhead.agent.jar"));
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalStateException("the guest agent jar is missing: " + agentJar + " (build the agent module first)");
        }
        Path out = cacheDirectory().resolve("templates").resolve(NAME);
        Path log = Files.createTempFile("template-build", ".log");
        try {
            Process build = new ProcessBuilder("bash", builder.toString(), "--agent-jar", agentJar.toString(), "--out", out.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = build.waitFor(15, TimeUnit.MINUTES);
            if (!finished) {
                build.destroyForcibly();
            }
            if (!finished || build.exitValue() != 0) {
                throw new IllegalStateException("the guest template could not be built (" + builder
                        + "; scripts/install-deps.sh installs what it needs):\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(log);
        }
        return out;
    }

    /** Installs the built template into dom0 as TemplateVM {@value #NAME} with its own kernel. */
    static void install(Path built, Path dataDir, DomainsService domains) throws IOException {
        Path kernel = dataDir.resolve("vm-kernels").resolve(NAME);
        Files.createDirectories(kernel);
        Files.copy(built.resolve("vmlinux"), kernel.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(built.resolve("initramfs"), kernel.resolve("initramfs"), StandardCopyOption.REPLACE_EXISTING);
        domains.setGlobalProperty("default_kernel", NAME);
        domains.create(QubeClass.TEMPLATE_VM, NAME, "black", Map.of());
        domains.importVolume(NAME, "root", built.resolve("root.img"));
        domains.setFeature(NAME, "qrexec", "1");
        // one vCPU: under TCG a second one only competes with the host for the same two cores
        domains.setProperty(NAME, "vcpus", "1");
    }

    private static Path cacheDirectory() {
        String env = System.getenv("BULKHEAD_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "bulkhead");
    }
}
