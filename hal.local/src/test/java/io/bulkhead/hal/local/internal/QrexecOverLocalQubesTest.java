package io.bulkhead.hal.local.internal;

import static io.bulkhead.hal.local.internal.TestQubes.await;
import static io.bulkhead.hal.local.internal.TestQubes.requireAgentProcess;
import static io.bulkhead.hal.local.internal.TestQubes.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.internal.LocalQubesDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * core.qrexec's real daemon reaching local qubes through this backend's channels: commands and
 * services run by the real agent, and a qube-to-qube call made with {@code qrexec-client-vm}
 * inside a local qube.
 */
class QrexecOverLocalQubesTest {

    private static final String POLICY = "test.Echo  *  work  vault  allow\n";

    @TempDir
    Path tmp;

    private LocalHypervisor backend;
    private LocalQubesDaemon daemon;

    private QrexecService start(Map<String, ?> config, String... qubes) throws Exception {
        backend = TestQubes.backend(tmp.resolve("run"), config);
        daemon = new LocalQubesDaemon(backend, POLICY);
        for (String qube : qubes) {
            backend.define(spec(qube, tmp).build());
            backend.start(qube);
            assertTrue(daemon.service().awaitAgent(qube, TestQubes.WAIT), "the agent of " + qube + " connected");
        }
        return daemon.service();
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private RunFiles files(String name) {
        return new RunFiles(tmp.resolve("run").resolve(name));
    }

    @Test
    void commandRunsInTheQubeWithItsName() throws Exception {
        QrexecService qrexec = start(Map.of(), "work");
        RemoteProcess p = qrexec.exec("work", null, "echo hello from $BULKHEAD_QUBE_NAME");
        assertEquals("hello from work\n", output(p));
    }

    @Test
    void serviceComesFromTheQubesOwnServiceDirectory() throws Exception {
        QrexecService qrexec = start(Map.of(), "work");
        writeService(files("work").ownRpcDir(), "test.Echo", "echo \"arg=$1 from=$QREXEC_REMOTE_DOMAIN\"");
        RemoteProcess p = qrexec.callService("work", null, "test.Echo+hi");
        assertEquals("arg=hi from=dom0\n", output(p));
    }

    @Test
    void qubeCallsAnotherQubeThroughQrexecClientVm() throws Exception {
        Path services = Files.createDirectories(tmp.resolve("services"));
        writeService(services, "test.Echo", "read line; echo \"$BULKHEAD_QUBE_NAME got $line from $QREXEC_REMOTE_DOMAIN\"");
        QrexecService qrexec = start(Map.of("rpcDir", services.toString()), "work", "vault");

        RemoteProcess p = qrexec.exec("work", null, "echo ping | qrexec-client-vm vault test.Echo");

        assertEquals("vault got ping from work\n", output(p));
    }

    @Test
    void channelIsOpenedAgainAfterTheDaemonDetached() throws Exception {
        QrexecService qrexec = start(Map.of(), "work");
        qrexec.detach("work");
        assertTrue(qrexec.awaitAgent("work", TestQubes.WAIT), "the agent reconnected");
        assertEquals("again\n", output(qrexec.exec("work", null, "echo again")));
    }

    @Test
    void killEndsTheCommandsTheAgentRuns() throws Exception {
        QrexecService qrexec = start(Map.of(), "work");
        ProcessHandle sleeper = startSleeper(qrexec);

        backend.kill("work");

        assertFalse(sleeper.isAlive(), "sleep " + sleeper.pid() + " outlived its qube");
    }

    @Test
    void shutdownEndsTheCommandsTheAgentRuns() throws Exception {
        QrexecService qrexec = start(Map.of(), "work");
        ProcessHandle sleeper = startSleeper(qrexec);

        assertTrue(backend.shutdown("work", Duration.ofSeconds(15)));

        assertFalse(sleeper.isAlive(), "sleep " + sleeper.pid() + " outlived its qube");
    }

    @Test
    void pauseStopsTheCommandsTheAgentRunsToo() throws Exception {
        QrexecService qrexec = start(Map.of(), "work");
        ProcessHandle sleeper = startSleeper(qrexec);

        backend.pause("work");
        await("sleep is stopped", () -> procState(sleeper) == 'T');
        backend.unpause("work");
        await("sleep runs again", () -> procState(sleeper) != 'T');
        assertEquals("awake\n", output(qrexec.exec("work", null, "echo awake")));
    }

    private static char procState(ProcessHandle process) {
        try {
            return TestQubes.procState(process.pid());
        } catch (java.io.IOException e) {
            return '?';
        }
    }

    private ProcessHandle startSleeper(QrexecService qrexec) throws Exception {
        ProcessHandle agent = requireAgentProcess(files("work").qrexecSocket());
        qrexec.exec("work", null, "exec sleep 300");
        await("the agent runs sleep", () -> sleeper(agent).isPresent());
        return sleeper(agent).orElseThrow();
    }

    private static Optional<ProcessHandle> sleeper(ProcessHandle agent) {
        return agent.descendants().filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .findFirst();
    }

    private static void writeService(Path directory, String name, String body) throws Exception {
        Path script = directory.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    /** Closes stdin, reads stdout to its end and checks the exit status is 0. */
    private static String output(RemoteProcess p) throws Exception {
        try (p) {
            p.stdin().close();
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the remote process ended");
            assertEquals(0, p.onExit().get(), "exit status; stderr: " + err);
            return out;
        }
    }
}
