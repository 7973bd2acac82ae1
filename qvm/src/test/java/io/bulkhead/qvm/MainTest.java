package io.bulkhead.qvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.Fixtures;
import picocli.CommandLine;

/**
 * The CLI as the launcher runs it: a separate JVM whose class path holds only this module's classes and picocli
 * (no OSGi, no core.admin), talking to the socket named by BULKHEAD_ADMIN_SOCKET.
 */
@Timeout(60)
class MainTest {

    private static Process start(Path socket, String... args) throws IOException {
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        String picocli = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", classes + File.pathSeparator + picocli, Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("BULKHEAD_ADMIN_SOCKET", socket.toString());
        return builder.start();
    }

    private static String[] finish(Process process) throws Exception {
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new String[] {Integer.toString(process.exitValue()), out, err};
    }

    @Test
    void qvmLsRunsWithOnlyPicocliOnTheClassPath() throws Exception {
        try (FakeQubesd qubesd = Fixtures.standard(new FakeQubesd())) {
            String[] result = finish(start(qubesd.socket(), "qvm-ls", "--raw-list"));
            assertEquals("0", result[0], result[2]);
            assertEquals("debian-12\ndom0\nsys-net\nwork\n", result[1]);
        }
    }

    @Test
    void noDom0MeansExitOneWithAHint() throws Exception {
        String[] result = finish(start(Path.of("/nonexistent/qubesd.sock"), "qvm-prefs", "work"));
        assertEquals("1", result[0]);
        assertEquals("qvm-prefs: error: dom0 is not running: there is no Admin API socket /nonexistent/qubesd.sock; start dom0 with"
                + " ./bulkhead dom0 (or set BULKHEAD_ADMIN_SOCKET to its socket)\n", result[2]);
    }

    @Test
    void unknownToolIsAUsageError() throws Exception {
        String[] result = finish(start(Path.of("/nonexistent"), "qvm-frobnicate"));
        assertEquals("2", result[0]);
        assertTrue(result[2].startsWith("qvm: unknown tool 'qvm-frobnicate'; the tools are: bulkhead-backend, bulkhead-extensions, "
                + "bulkhead-install, bulkhead-uninstall, qubes-prefs, qvm-check"), result[2]);
    }
}
