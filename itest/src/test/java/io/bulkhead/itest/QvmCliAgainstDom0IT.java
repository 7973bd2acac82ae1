package io.bulkhead.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The qvm-* tools as a user runs them, against dom0 started from the executable dom0.jar with
 * no terminal: create, prefs, features, tags, start, run, shutdown, remove, with a real qube.
 */
class QvmCliAgainstDom0IT {
    private static final Path MODULES = Path.of(System.getProperty("bulkhead.template.builder")).getParent().getParent();
    private static Path dataDir;
    private static Process dom0;

    @BeforeAll
    static void startDom0() throws Exception {
        dataDir = Files.createTempDirectory("bulkhead-cli-it-");
        Path jar = MODULES.resolve("dom0/target/dom0.jar");
        assertTrue(Files.isRegularFile(jar), "dom0.jar is not built: " + jar);
        dom0 = new ProcessBuilder(java(), "-Dbulkhead.data.dir=" + dataDir, "-Dfelix.fileinstall.dir=" + dataDir.resolve("hot-deploy"),
                "-Dorg.osgi.framework.storage=" + dataDir.resolve("cache/felix"), "-Dorg.jline.terminal.dumb=true", "-jar", jar.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("dom0.log").toFile())
                .start();
        Path socket = dataDir.resolve("run/qubesd.sock");
        for (int i = 0; i < 600 && !Files.exists(socket); i++) {
            assertTrue(dom0.isAlive(), () -> "dom0 exited: " + log());
            Thread.sleep(100);
        }
        assertTrue(Files.exists(socket), () -> "dom0 did not open its Admin API socket in 60 s: " + log());

        Path template = GuestTemplate.buildOrReuse();
        Path kernel = dataDir.resolve("vm-kernels").resolve(GuestTemplate.NAME);
        Files.createDirectories(kernel);
        Files.copy(template.resolve("vmlinux"), kernel.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(template.resolve("initramfs"), kernel.resolve("initramfs"), StandardCopyOption.REPLACE_EXISTING);
        qvm(0, "qvm-create", "--class", "TemplateVM", "--label", "black", GuestTemplate.NAME);
        qvm(0, "qvm-volume", "import", GuestTemplate.NAME + ":root", template.resolve("root.img").toString());
        qvm(0, "qvm-prefs", GuestTemplate.NAME, "kernel", GuestTemplate.NAME);
        qvm(0, "qvm-prefs", GuestTemplate.NAME, "vcpus", "1");
        qvm(0, "qvm-features", GuestTemplate.NAME, "qrexec", "1");
    }

    @AfterAll
    static void stopDom0() throws Exception {
        if (dom0 != null) {
            dom0.destroy();
            if (!dom0.waitFor(30, TimeUnit.SECONDS)) {
                dom0.destroyForcibly();
            }
        }
    }

    @Test
    void aQubesUsersSession() throws Exception {
        qvm(0, "qvm-create", "--template", GuestTemplate.NAME, "--label", "blue", "work");
        assertTrue(qvm(0, "qvm-ls", "--raw-list").lines().toList().contains("work"));

        qvm(0, "qvm-prefs", "work", "memory", "500");
        assertEquals("500\n", qvm(0, "qvm-prefs", "work", "memory"));
        qvm(0, "qvm-prefs", "--default", "work", "memory");
        assertEquals("400\n", qvm(0, "qvm-prefs", "work", "memory"), "back to the template's value");
        qvm(2, "qvm-prefs", "no-such-qube", "memory");

        qvm(0, "qvm-features", "work", "service.example", "1");
        assertEquals("1\n", qvm(0, "qvm-features", "work", "service.example"));
        qvm(0, "qvm-tags", "work", "add", "audited");
        assertTrue(qvm(0, "qvm-tags", "work", "list").lines().toList().contains("audited"));

        assertEquals("hi from work\n", qvm(0, "qvm-run", "-p", "work", "echo hi from $(hostname)"));
        assertTrue(qvm(0, "qvm-ls", "--running", "--raw-list").lines().toList().contains("work"));
        assertEquals("", qvm(3, "qvm-run", "-p", "work", "exit 3"));
        assertEquals("HELLO FROM DOM0\n", qvmWithInput("hello from dom0\n", 0, "qvm-run", "-p", "work", "tr a-z A-Z"));

        qvm(0, "qvm-run", "-p", "work", "mkdir -p /home/user && echo cloned data > /home/user/f && sync");
        qvm(0, "qvm-shutdown", "--wait", "work");
        assertTrue(qvm(0, "qvm-ls", "--halted", "--raw-list").lines().toList().contains("work"));
        assertEquals(List.of(), qemuProcesses());

        qvm(0, "qvm-clone", "work", "work-copy");
        assertEquals("cloned data\n", qvm(0, "qvm-run", "-p", "work-copy", "cat /home/user/f"), "the private volume was copied");
        qvm(0, "qvm-shutdown", "--wait", "work-copy");
        qvm(0, "qvm-remove", "-f", "work-copy");

        qvm(0, "qvm-remove", "-f", "work");
        assertFalse(qvm(0, "qvm-ls", "--raw-list").lines().toList().contains("work"));
        qvm(2, "qvm-start", "work");
    }

    /** Runs a tool as its own JVM, as the launcher does; checks the exit code; returns stdout. */
    private static String qvm(int expectedExit, String... toolAndArgs) throws IOException, InterruptedException {
        return qvmWithInput(null, expectedExit, toolAndArgs);
    }

    /** The same with {@code input} on the tool's stdin ({@code null}: none). */
    private static String qvmWithInput(String input, int expectedExit, String... toolAndArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(), "-cp",
                MODULES.resolve("qvm/target/qvm-0.1.0-SNAPSHOT.jar") + File.pathSeparator + MODULES.resolve("qvm/target/lib/picocli.jar"),
                "io.bulkhead.qvm.Main"));
        command.addAll(List.of(toolAndArgs));
        ProcessBuilder builder = new ProcessBuilder(command);
        Path stdin = Files.createTempFile("qvm-in", ".txt");
        Files.writeString(stdin, input == null ? "" : input);
        builder.redirectInput(stdin.toFile());
        builder.environment().put("BULKHEAD_ADMIN_SOCKET", dataDir.resolve("run/qubesd.sock").toString());
        Path stderr = Files.createTempFile("qvm-err", ".txt");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), String.join(" ", toolAndArgs) + " did not finish");
        String errors = Files.readString(stderr);
        Files.delete(stderr);
        Files.delete(stdin);
        assertEquals(expectedExit, process.exitValue(),
                () -> String.join(" ", toolAndArgs) + "\nstdout: " + stdout + "\nstderr: " + errors + "\ndom0 log:\n" + log());
        return stdout;
    }

    private static List<String> qemuProcesses() throws IOException {
        List<String> found = new ArrayList<>();
        try (var proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path pid : proc) {
                try {
                    String cmdline = new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains("qemu-system") && cmdline.contains(dataDir.toString())) {
                        found.add(pid.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return found;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String log() {
        try {
            return Files.readString(dataDir.resolve("dom0.log"));
        } catch (IOException e) {
            return "(no dom0 log: " + e.getMessage() + ")";
        }
    }
}
