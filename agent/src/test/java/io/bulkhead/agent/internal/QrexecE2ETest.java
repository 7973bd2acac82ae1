package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * dom0 daemon + real agents (the shaded jar run as processes): commands from dom0, VM to VM
 * calls through qrexec-client-vm under the real policy engine, dom0 services, disposables,
 * a 100 MB stream and 100 concurrent calls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class QrexecE2ETest {
    private static final String POLICY = String.join("\n",
            "test.Echo       *        work   vault     allow",
            "test.Echo       *        vault  work      allow",
            "test.Env        *        work   vault     allow user=root",
            "test.Exit       *        work   vault     allow",
            "test.Missing    *        work   vault     allow",
            "test.Specific   *        work   vault     allow",
            "test.Denied     *        work   vault     deny",
            "test.Ask        *        work   vault     ask default_target=vault",
            "test.Ask        *        work   other     ask",
            "test.Dom0       *        work   @adminvm  allow",
            "test.Dom0       *        work   dom0      allow",
            "test.NoHandler  *        work   dom0      allow",
            "test.Disp       *        work   @default  allow target=@dispvm:dvm",
            "test.Whoami     +nobody  work   vault     allow user=nobody",
            "test.Whoami     *        work   vault     allow",
            "test.Loop       *        work   work      allow",
            "") + "\n";

    private World world;

    @BeforeAll
    void startQubes() throws Exception {
        world = new World(POLICY);
        world.start("work");
        world.start("vault");
    }

    @AfterAll
    void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    // ---- dom0 -> qube ---------------------------------------------------------------------------

    @Test
    void execStreamsStdoutStderrAndTheExitCode() throws Exception {
        RemoteProcess p = world.dom0.service().exec("work", "root", "echo out; echo err >&2; exit 3");
        p.stdin().close();
        Output o = Output.collect(p);
        assertEquals(3, p.waitFor());
        assertEquals("out\n", o.out());
        assertEquals("err\n", o.err());
    }

    @Test
    void execPassesStdinThrough() throws Exception {
        assertEquals("0|HELLO QREXEC|", execute("vault", "tr a-z A-Z", "hello qrexec"));
    }

    @Test
    void warmShellsGiveWhatOnDemandSpawnsGive() throws Exception {
        world.start("cold", "--warm-users", "none");
        List<String> commands = List.of("echo out; echo err >&2; exit 3", "echo \"$HOME $USER $LOGNAME\"; pwd",
                "tr a-z A-Z", "IFS= read -r x; echo \"[$x]\"; cat", "echo 'multi\nline' \\\n  continued; exit 0",
                "1\n2", "kill -9 $$");
        for (String command : commands) {
            String stdin = "1\necho injected\nrest";
            assertEquals(execute("cold", command, stdin), execute("work", command, stdin), command);
        }
        assertEquals("3|out\n|err\n", execute("work", commands.get(0), ""));
    }

    @Test
    void theAgentKeepsAShellReadyForTheNextCommand() throws Exception {
        assertEquals("0|ready\n|", execute("work", "echo ready", ""));
        ProcessHandle agent = world.agent("work").process.toHandle();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (agent.children().noneMatch(c -> c.info().commandLine().orElse("").contains("__bh_n")) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(agent.children().anyMatch(c -> c.isAlive() && c.info().commandLine().orElse("").contains("__bh_n")),
                "a warm shell waits for the next command");
    }

    @Test
    void aCommandStillRunningDoesNotHoldUpTheNext() throws Exception {
        // a warm shell is ready: the first command takes the path on which the agent's thread
        // reads no control messages until the command is under way
        theAgentKeepsAShellReadyForTheNextCommand();
        RemoteProcess first = world.dom0.service().exec("work", "root", "cat");
        first.stdin().write("first".getBytes(StandardCharsets.UTF_8));
        first.stdin().flush();
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> {
            try {
                return execute("work", "echo second", "");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals("0|second\n|", second.get(60, TimeUnit.SECONDS));
        assertTrue(!first.onExit().isDone(), "the first command still runs");
        first.stdin().close();
        assertEquals(new Output("first", ""), Output.collect(first));
        assertEquals(0, first.waitFor());
    }

    @Test
    void stdinReachesTheCommandWhetherItArrivedWholeLateOrLarge() throws Exception {
        for (String qube : List.of("work", "vault")) {
            // whole and small before the command runs: fed without a thread
            assertEquals("0|SMALL|", execute(qube, "tr a-z A-Z", "small"));
            assertEquals("0||", execute(qube, "true", "not read"));
            // whole but beyond the inline limit, and never read
            String large = "y".repeat(300_000);
            assertEquals("0|300000\n|", execute(qube, "wc -c | tr -d ' '", large));
            RemoteProcess unread = world.dom0.service().exec(qube, "root", "true");
            try {
                unread.stdin().write(large.getBytes(StandardCharsets.UTF_8));
                unread.stdin().close();
            } catch (IOException e) {
                // the command may end before it all went out, as with a pipe
            }
            assertEquals(new Output("", ""), Output.collect(unread));
            assertEquals(0, unread.waitFor());
            // the rest arrives while the command runs
            RemoteProcess p = world.dom0.service().exec(qube, "root", "cat");
            p.stdin().write("early ".getBytes(StandardCharsets.UTF_8));
            p.stdin().flush();
            Thread.sleep(200);
            p.stdin().write("late".getBytes(StandardCharsets.UTF_8));
            p.stdin().close();
            Output o = Output.collect(p);
            assertEquals(0, p.waitFor());
            assertEquals("early late", o.out());
        }
    }

    @Test
    void outputsEndingApartOrBeforeTheExitReachDom0AsTheyEnd() throws Exception {
        for (String qube : List.of("work", "vault")) {
            assertEquals("0|a\n|b\n", execute(qube, "echo a; exec 1>&-; sleep 0.2; echo b >&2", ""));
            assertEquals("5|a\n|b\n", execute(qube, "echo b >&2; exec 2>&-; sleep 0.2; echo a; exit 5", ""));
            // both outputs closed, the process runs on: their ends do not wait for its exit
            RemoteProcess p = world.dom0.service().exec(qube, "root", "echo x; exec >&- 2>&-; sleep 3; exit 4");
            p.stdin().close();
            Output o = Output.collect(p);
            assertFalse(p.onExit().isDone(), "stdout and stderr ended while the process still runs");
            assertEquals("x\n", o.out());
            assertEquals(4, p.waitFor());
        }
    }

    /** exit|stdout|stderr of a shell command run as root with the given stdin. */
    private String execute(String qube, String command, String stdin) throws Exception {
        RemoteProcess p = world.dom0.service().exec(qube, "root", command);
        p.stdin().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.stdin().close();
        Output o = Output.collect(p);
        return p.waitFor() + "|" + o.out() + "|" + o.err();
    }

    @Test
    void serviceGetsItsArgumentAndCallerAsQubes() throws Exception {
        RemoteProcess p = world.dom0.service().callService("work", "root", "test.Env+hello");
        p.stdin().close();
        Output o = Output.collect(p);
        assertEquals(0, p.waitFor());
        assertEquals("argc=1 arg=hello full=test.Env+hello remote=dom0 sarg=hello type=\n", o.out());

        RemoteProcess noArg = world.dom0.service().callService("work", "root", "test.Env");
        noArg.stdin().close();
        assertEquals("argc=0 arg= full=test.Env+ remote=dom0 sarg= type=\n", Output.collect(noArg).out());
    }

    @Test
    void perArgumentServiceFileWins() throws Exception {
        assertEquals("specific\n", run("work", "test.Specific+only"));
        assertEquals("generic\n", run("work", "test.Specific+other"));
    }

    @Test
    void missingAndBrokenServicesExitAsQubes() throws Exception {
        RemoteProcess missing = world.dom0.service().callService("work", "root", "test.Nope");
        missing.stdin().close();
        assertEquals(127, missing.waitFor());
        RemoteProcess broken = world.dom0.service().callService("work", "root", "test.NotExecutable");
        broken.stdin().close();
        assertEquals(125, broken.waitFor());
    }

    @Test
    void socketServiceGetsTheDescriptorAndTheData() throws Exception {
        Path sock = world.rpcDir("work").resolve("test.Sock");
        UnixSocketServer server = UnixSocketServer.bind(sock);
        world.onClose(server);
        CompletableFuture<String> descriptor = CompletableFuture.supplyAsync(() -> {
            try (UnixSocketChannel c = server.accept()) {
                InputStream in = c.input();
                ByteArrayOutputStream d = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) > 0) {
                    d.write(b);
                }
                byte[] rest = in.readAllBytes();
                c.output().write(("got:" + new String(rest, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                return d.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        RemoteProcess p = world.dom0.service().callService("work", "root", "test.Sock+arg1");
        p.stdin().write("payload".getBytes(StandardCharsets.UTF_8));
        p.stdin().close();
        Output o = Output.collect(p);
        assertEquals(0, p.waitFor());
        assertEquals("got:payload", o.out());
        assertEquals("test.Sock+arg1 dom0", descriptor.get(10, TimeUnit.SECONDS));
    }

    @Test
    void justExecStartsTheCommandAndReportsTheSpawnStatus() throws Exception {
        Path marker = world.dir.resolve("work").resolve("marker-justexec");
        assertEquals(0, world.dom0.service().justExec("work", "root", "touch '" + marker + "'"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(marker) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(marker));
    }

    @Test
    void commandsRunAsTheRequestedUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "switching users needs root");
        assumeTrue(Files.readString(Path.of("/etc/passwd")).contains("\nnobody:"), "needs a nobody account");
        assertEquals("nobody\n", run("work", "test.Whoami", "nobody"));
        assertEquals("root\n", run("work", "test.Whoami", "root"));
        World.Result r = world.call("work", "vault", "test.Whoami+nobody");
        assertEquals(0, r.exit());
        assertEquals("nobody\n", r.out(), "policy user= decides the user");
    }

    // ---- qube -> qube ---------------------------------------------------------------------------

    @Test
    void allowedCallConnectsTheStreams() throws Exception {
        World.Result r = world.call("work", "vault", "test.Echo", "ping".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, r.exit());
        assertEquals("ping", r.out());
        World.Result env = world.call("work", "vault", "test.Env+a1");
        assertEquals("argc=1 arg=a1 full=test.Env+a1 remote=work sarg=a1 type=\n", env.out());
    }

    @Test
    void remoteExitStatusIsPassedBack() throws Exception {
        assertEquals(5, world.call("work", "vault", "test.Exit+5").exit());
        assertEquals(0, world.call("work", "vault", "test.Exit+0").exit());
    }

    @Test
    void deniedOrUnmatchedCallsAreRefusedWith126() throws Exception {
        World.Result denied = world.call("work", "vault", "test.Denied");
        assertEquals(126, denied.exit());
        assertEquals("Request refused\n", denied.stderr());
        assertEquals(126, world.call("vault", "work", "test.Exit").exit(), "no rule matches");
        assertEquals(126, world.call("work", "work", "test.Loop").exit(), "loopback is refused");
        assertEquals(126, world.call("work", "vault", "bad/name").exit(), "sanitised name matches no rule");
    }

    @Test
    void allowedButMissingServiceExits127() throws Exception {
        assertEquals(127, world.call("work", "vault", "test.Missing").exit());
    }

    @Test
    void askGoesToThePromptService() throws Exception {
        AtomicReference<io.bulkhead.core.qrexec.AskRequest> seen = new AtomicReference<>();
        world.dom0.setAskPrompt(req -> {
            seen.set(req);
            return Optional.of("vault");
        });
        try {
            World.Result r = world.call("work", "vault", "test.Ask", new byte[0]);
            assertEquals(127, r.exit(), "allowed by the prompt; vault has no test.Ask service");
            assertEquals("work", seen.get().source());
            assertEquals("test.Ask", seen.get().service());
            assertEquals("vault", seen.get().defaultTarget());
            assertTrue(seen.get().targets().contains("vault"));

            world.dom0.setAskPrompt(req -> Optional.empty());
            assertEquals(126, world.call("work", "vault", "test.Ask").exit(), "the user said no");
            world.dom0.setAskPrompt(req -> Optional.of("not-a-candidate"));
            assertEquals(126, world.call("work", "vault", "test.Ask").exit(), "an answer outside the candidates");
        } finally {
            world.dom0.setAskPrompt(null);
        }
        assertEquals(126, world.call("work", "vault", "test.Ask").exit(), "nobody to ask: denied");
    }

    @Test
    void dom0HandlersServeCallsToDom0ByName() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        Dom0RpcHandler handler = call -> {
            calls.add(call.source() + " " + call.descriptor() + " " + call.requestedTargetType() + " " + call.requestedTarget());
            byte[] in = call.stdin().readAllBytes();
            call.stdout().write(("dom0 got " + new String(in, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            call.stderr().write("note".getBytes(StandardCharsets.UTF_8));
            return 7;
        };
        world.dom0.addDom0Handler("test.Dom0", handler);
        try {
            World.Result r = world.call("work", "dom0", "test.Dom0+x", "abc".getBytes(StandardCharsets.UTF_8));
            assertEquals(7, r.exit());
            assertEquals("dom0 got abc", r.out());
            assertEquals("note", r.stderr());
            World.Result k = world.call("work", "@adminvm", "test.Dom0");
            assertEquals(7, k.exit());
            assertEquals(List.of("work test.Dom0+x name dom0", "work test.Dom0+ keyword adminvm"), calls);
        } finally {
            world.dom0.removeDom0Handler(handler);
        }
        assertEquals(127, world.call("work", "dom0", "test.Dom0").exit(), "handler gone: not found");
        assertEquals(127, world.call("work", "dom0", "test.NoHandler").exit());
    }

    @Test
    void dispvmTargetWithoutTemplateIsRefused() throws Exception {
        // no qube model here: the policy cannot resolve @dispvm:dvm (not a disposable template)
        assertEquals(126, world.call("work", "", "test.Disp").exit());
    }

    @Test
    void anAgentReconnectsWhenDom0DropsItsLink() throws Exception {
        world.dom0.service().detach("vault");
        assertTrue(world.dom0.service().awaitAgent("vault", java.time.Duration.ofSeconds(20)), "the agent came back");
        assertEquals("again", world.call("work", "vault", "test.Echo", "again".getBytes(StandardCharsets.UTF_8)).out());
    }

    @Test
    void theCommandLineClientReportsStatusesLikeQubes() throws Exception {
        List<String> cmd = AgentProcess.java();
        cmd.addAll(List.of("-jar", AgentProcess.jar().toString(), "qrexec-client-vm",
                "--agent-socket=" + world.clientSocket("work"), "vault", "test.Exit+4"));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertEquals(4, p.waitFor());
        cmd.set(cmd.size() - 1, "test.Denied");
        Process d = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String err = new String(d.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(126, d.waitFor());
        assertEquals("Request refused\n", err);
        cmd.set(cmd.size() - 1, "test.Echo");
        Process e = new ProcessBuilder(cmd).start();
        e.getOutputStream().write("via cli".getBytes(StandardCharsets.UTF_8));
        e.getOutputStream().close();
        assertEquals("via cli", new String(e.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, e.waitFor());
    }

    // ---- volume ---------------------------------------------------------------------------------

    @Test
    void hundredMegabytesArriveIntact() throws Exception {
        RemoteProcess p = world.dom0.service().exec("work", "root", "cat");
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long total = 100L << 20;
        Future<Long> reader = Executors.newSingleThreadExecutor().submit(() -> {
            byte[] buf = new byte[65536];
            long n = 0;
            int r;
            while ((r = p.stdout().read(buf)) >= 0) {
                received.update(buf, 0, r);
                n += r;
            }
            return n;
        });
        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream in = p.stdin()) {
            for (long done = 0; done < total; done += chunk.length) {
                random.nextBytes(chunk);
                sent.update(chunk);
                in.write(chunk);
            }
        }
        assertEquals(total, reader.get(100, TimeUnit.SECONDS));
        assertEquals(0, p.waitFor());
        assertArrayEquals(sent.digest(), received.digest());
    }

    @Test
    void hundredConcurrentCallsAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Future<World.Result>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] payload = ("call-" + i + "-" + "x".repeat(i * 100)).getBytes(StandardCharsets.UTF_8);
                results.add(pool.submit(() -> world.call("work", "vault", "test.Echo", payload)));
            }
            for (int i = 0; i < 100; i++) {
                World.Result r = results.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(0, r.exit(), "call " + i + ": " + r.stderr());
                assertEquals("call-" + i + "-" + "x".repeat(i * 100), r.out());
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(world.dom0.service().isConnected("work") && world.dom0.service().isConnected("vault"));
    }

    private String run(String qube, String service) throws Exception {
        return run(qube, service, "root");
    }

    private String run(String qube, String service, String user) throws Exception {
        RemoteProcess p = world.dom0.service().callService(qube, user, service);
        p.stdin().close();
        Output o = Output.collect(p);
        assertEquals(0, p.waitFor(), "stderr: " + o.err());
        return o.out();
    }

    /** Reads stdout and stderr of a remote process to the end, concurrently. */
    record Output(String out, String err) {
        static Output collect(RemoteProcess p) throws Exception {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            return new Output(out, err.get(30, TimeUnit.SECONDS));
        }
    }
}
