package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process runner against a stand-in executable (a bash script) that speaks the runner
 * loop's line protocol: the command line, the bootstrap line, Base64 framing, result markers,
 * noise lines, timeouts and a dying process.
 */
class PowerShellProcessTest {

    @TempDir
    Path dir;

    private Path fakePowerShell;
    private final List<String> noise = new CopyOnWriteArrayList<>();
    private PowerShellProcess runner;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && Files.isExecutable(Path.of("/usr/bin/base64")),
                "needs bash and base64");
        fakePowerShell = dir.resolve("pwsh");
        Files.writeString(fakePowerShell, String.join("\n",
                "#!/bin/bash",
                "d='" + dir + "'",
                "printf '%s\\n' \"$*\" > \"$d/args\"",
                "echo started >> \"$d/starts\"",
                "IFS= read -r bootstrap",
                "printf '%s' \"$bootstrap\" > \"$d/bootstrap\"",
                "while IFS= read -r line; do",
                "  [ \"$line\" = exit ] && { echo exited >> \"$d/starts\"; exit 0; }",
                "  printf '%s' \"$line\" | base64 -d > \"$d/last-script\"",
                "  grep -q HANG-NOW \"$d/last-script\" && exec sleep 30",
                "  grep -q DIE-NOW \"$d/last-script\" && { echo 'fatal: out of cheese' >&2; exit 3; }",
                "  echo 'WARNING: a host warning'",
                "  echo 'BULKHEAD-RESULT {\"ok\":true,\"value\":[{\"Echo\":\"yes\"}]}'",
                "done",
                ""));
        Files.setPosixFilePermissions(fakePowerShell, PosixFilePermissions.fromString("rwx------"));
        runner = new PowerShellProcess(fakePowerShell, Optional.empty(), Duration.ofSeconds(1), noise::add);
    }

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.close();
        }
    }

    private static PowerShellScript script(String operation, String marker, String value) {
        return PowerShellScript.builder(operation, "work").line("# " + marker).code("$v = ").lit("value", value).nl()
                .build();
    }

    private List<String> starts() throws IOException {
        return Files.readAllLines(dir.resolve("starts"));
    }

    @Test
    void scriptsTravelExactlyAndResultsComeBackFromTheMarkerLine() throws IOException {
        String hostile = "x'\u2019; Stop-Computer `$(\"\u201C\u00e9\uD83D\uDE00\r\n";
        PowerShellScript first = script("echo", "plain", hostile);
        assertEquals("{\"ok\":true,\"value\":[{\"Echo\":\"yes\"}]}", runner.run(first));
        assertEquals(first.text(), Files.readString(dir.resolve("last-script"), StandardCharsets.UTF_8),
                "the script arrives byte for byte");
        assertEquals(List.of("-NoProfile -NonInteractive -Command -"), Files.readAllLines(dir.resolve("args")));
        assertEquals(RunnerLoop.bootstrapLine(Optional.empty()), Files.readString(dir.resolve("bootstrap")));
        assertEquals(List.of("WARNING: a host warning"), noise);

        runner.run(script("echo", "again", "y"));
        assertEquals(List.of("started"), starts(), "one process serves every script");
        runner.close();
        assertEquals(List.of("started", "exited"), starts(), "close ends the loop politely");
        IOException closed = assertThrows(IOException.class, () -> runner.run(script("echo", "late", "z")));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void aScriptThatHangsIsCutOffAndTheNextOneGetsAFreshProcess() throws IOException {
        IOException e = assertThrows(IOException.class, () -> runner.run(script("hang", "HANG-NOW", "v")));
        assertTrue(e.getMessage().startsWith("PowerShell did not finish script 'hang' for VM 'work' within 1 s; the"
                + " PowerShell process was stopped"), e.getMessage());
        assertEquals("{\"ok\":true,\"value\":[{\"Echo\":\"yes\"}]}", runner.run(script("echo", "after", "v")));
        assertEquals(List.of("started", "started"), starts());
    }

    @Test
    void aDyingProcessIsReportedWithItsExitCodeAndErrors() throws IOException {
        IOException e = assertThrows(IOException.class, () -> runner.run(script("die", "DIE-NOW", "v")));
        assertTrue(e.getMessage().startsWith("PowerShell exited while running script 'die' for VM 'work'"), e.getMessage());
        assertTrue(e.getMessage().contains("(exit code 3)") && e.getMessage().contains("fatal: out of cheese"),
                e.getMessage());
        assertEquals("{\"ok\":true,\"value\":[{\"Echo\":\"yes\"}]}", runner.run(script("echo", "after", "v")));
    }

    @Test
    void theBackendDrivesTheProcessRunnerEndToEnd() {
        // the production factory finds the configured executable; the fake answers every script with a record
        HypervHypervisor hyperv = new HypervHypervisor(Backends.config(java.util.Map.of("powershell",
                fakePowerShell.toString())), HostAccess::processRunner, Backends.LINUX);
        try {
            // the answer {"Echo":"yes"} is no preflight record: Windows=false -> a clear refusal
            io.bulkhead.core.domains.hal.HypervisorException e = assertThrows(
                    io.bulkhead.core.domains.hal.HypervisorException.class,
                    () -> hyperv.define(Backends.appVm(dir, "work").build()));
            assertTrue(e.getMessage().startsWith("Hyper-V module not available on ?"), e.getMessage());
        } finally {
            hyperv.close();
        }
    }
}
