package io.bulkhead.hal.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's command line and the qrexec-client-vm wrapper. */
class AgentLauncherTest {

    @TempDir
    Path tmp;

    @Test
    void commandLineConnectsToTheQubesSocketsWithoutUserSwitching() {
        RunFiles files = new RunFiles(tmp.resolve("work"));
        List<String> command = AgentLauncher.commandLine(Path.of("/j/bin/java"), List.of("-Xmx64m"),
                Path.of("/a/agent.jar"), files, tmp.resolve("rpc"), "warn");
        assertEquals(List.of("/j/bin/java", "-Xmx64m", "-jar", "/a/agent.jar",
                "--connect", files.qrexecSocket().toString(), "--rpc-dir", tmp.resolve("rpc").toString(),
                "--user-switch", "none", "--client-socket", files.clientSocket().toString(), "--log-level", "warn"),
                command);
    }

    @Test
    void wrapperPassesItsArgumentsThroughAndSurvivesQuotesInPaths() throws Exception {
        RunFiles files = new RunFiles(tmp.resolve("it's"));
        Files.createDirectories(files.directory());
        // a fake "java" that prints its arguments, one per line
        Path java = tmp.resolve("fake java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        java.toFile().setExecutable(true);
        AgentLauncher.writeClientWrapper(java, List.of("-Xss1m"), Path.of("/a/agent's.jar"), files);

        Process p = new ProcessBuilder(files.clientWrapper().toString(), "vault", "test.Echo+a b").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals(List.of("-Xss1m", "-jar", "/a/agent's.jar", "qrexec-client-vm", "--agent-socket",
                files.clientSocket().toString(), "vault", "test.Echo+a b"), out.lines().toList());
        assertTrue(Files.isExecutable(files.clientWrapper()));
    }
}
