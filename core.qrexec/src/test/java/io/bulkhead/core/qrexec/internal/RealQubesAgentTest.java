package io.bulkhead.core.qrexec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.transport.VchanSocketEndpoint;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real, unmodified Qubes {@code qrexec-agent} and {@code qrexec-client-vm}
 * (qubes-core-qrexec) built against libvchan-socket (qubes-core-vchan-socket). Neither is
 * packaged by Debian, so this runs only when built binaries are given (see VCHAN-SOCKET.md):
 * {@code -Dqubes.agent.dir=DIR} (holding both programs) and, if needed,
 * {@code -Dqubes.agent.libs=LD_LIBRARY_PATH}. Without PAM the agent runs commands through
 * {@code su - USER}, so the test runs commands as the current user and needs root.
 */
@Timeout(60)
class RealQubesAgentTest {
    private static final String AGENT_DIR = System.getProperty("qubes.agent.dir", "");
    private static final String LIBS = System.getProperty("qubes.agent.libs", "");

    @TempDir
    Path tmp;

    private final QrexecDaemon daemon = new QrexecDaemon(
            new DaemonSettings("root", 10_000, 16, 1000, 1000, 10_000, 1 << 16, MuxConfig.DEFAULT), 10_000);
    private final Map<String, VchanSocketEndpoint> endpoints = new ConcurrentHashMap<>();
    private final List<Process> agents = new ArrayList<>();

    @BeforeEach
    void requireBinaries() {
        // excluded from the default run (the binaries are built from Qubes' sources, see docs/vchan-socket.md);
        // when asked for with -Dtest=RealQubesAgentTest, missing prerequisites are failures, not skips
        assertTrue(!AGENT_DIR.isEmpty() && Files.isExecutable(Path.of(AGENT_DIR, "qrexec-agent")),
                "no Qubes agent binaries given (-Dqubes.agent.dir=DIR with qrexec-agent and qrexec-client-vm)");
        assertTrue("root".equals(System.getProperty("user.name")), "the agent without PAM switches users with su: run as root");
        daemon.bindVchanSocketProvider(qube -> Optional.ofNullable(endpoints.get(qube)), Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        daemon.deactivate();
        for (Process p : agents) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private ProcessBuilder qubesProgram(Path dir, int domain, String... argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("VCHAN_DOMAIN", String.valueOf(domain));
        pb.environment().put("VCHAN_SOCKET_DIR", dir.toString());
        if (!LIBS.isEmpty()) {
            pb.environment().put("LD_LIBRARY_PATH", LIBS);
        }
        return pb;
    }

    private Path startAgent(String qube, int domain, Path rpcDir) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(qube));
        ProcessBuilder pb = qubesProgram(dir, domain, AGENT_DIR + "/qrexec-agent", "--agent-socket=" + dir.resolve("agent.sock"),
                "--no-fork-server");
        pb.environment().put("QREXEC_SERVICE_PATH", rpcDir.toString());
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve(qube + "-agent.log").toFile());
        agents.add(pb.start());
        endpoints.put(qube, new VchanSocketEndpoint(dir, domain));
        assertTrue(daemon.awaitAgent(qube, Duration.ofSeconds(10)), qube + ": the Qubes agent connects");
        return dir;
    }

    private static String run(RemoteProcess p, String stdin) throws Exception {
        p.stdin().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.stdin().close();
        return new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void dom0RunsCommandsInTheRealAgent() throws Exception {
        startAgent("work", 5, Files.createDirectories(tmp.resolve("rpc")));
        RemoteProcess p = daemon.exec("work", "root", "cat; echo err >&2; exit 5");
        assertEquals("abc", run(p, "abc"));
        assertEquals("err\n", new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(5, p.waitFor());
        List<RemoteProcess> parallel = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            parallel.add(daemon.exec("work", "root", "sleep 0.2; echo n" + i));
        }
        for (int i = 0; i < 4; i++) {
            assertEquals("n" + i + "\n", run(parallel.get(i), ""));
            assertEquals(0, parallel.get(i).waitFor());
        }
        assertEquals(0, daemon.justExec("work", "root", "true"));
        // ports come back: many more calls than the agent has ports open at once
        for (int i = 0; i < 20; i++) {
            RemoteProcess q = daemon.exec("work", "root", "echo " + i);
            assertEquals(i + "\n", run(q, ""));
            assertEquals(0, q.waitFor());
        }
    }

    @Test
    void theRealQrexecClientVmCallsDom0AndOtherQubes() throws Exception {
        daemon.setPolicyService(new TestPolicy("""
                test.Echo * work dom0 allow
                test.Denied * work dom0 deny
                test.Cat * work vault allow
                """));
        daemon.bindDom0RpcHandler(call -> {
            call.stdout().write(("echo:" + new String(call.stdin().readAllBytes(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8));
            return 7;
        }, Map.of(Dom0RpcHandler.SERVICE_PROPERTY, "test.Echo"));
        Path vaultRpc = Files.createDirectories(tmp.resolve("vault-rpc"));
        Path cat = vaultRpc.resolve("test.Cat");
        Files.writeString(cat, "#!/bin/sh\necho \"from $QREXEC_REMOTE_DOMAIN\"\ncat\n");
        cat.toFile().setExecutable(true);
        Path work = startAgent("work", 5, Files.createDirectories(tmp.resolve("work-rpc")));
        startAgent("vault", 6, vaultRpc);

        assertEquals(List.of("7", "echo:ping"), clientVm(work, "dom0", "test.Echo", "ping"));
        assertEquals(List.of("126", ""), clientVm(work, "dom0", "test.Denied", ""));
        assertEquals(List.of("0", "from work\ndata"), clientVm(work, "vault", "test.Cat", "data"));
    }

    /** @return exit status and stdout of {@code qrexec-client-vm TARGET SERVICE} in the qube with socket dir {@code dir} */
    private List<String> clientVm(Path dir, String target, String service, String stdin) throws Exception {
        ProcessBuilder pb = qubesProgram(dir, 5, AGENT_DIR + "/qrexec-client-vm", "--agent-socket=" + dir.resolve("agent.sock"),
                target, service);
        pb.redirectError(ProcessBuilder.Redirect.to(new File(tmp.toFile(), "client-vm.err")));
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return List.of(String.valueOf(p.exitValue()), out);
    }
}
