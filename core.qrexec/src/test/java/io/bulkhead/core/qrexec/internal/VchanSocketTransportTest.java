package io.bulkhead.core.qrexec.internal;

import static io.bulkhead.core.qrexec.emulator.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.emulator.QubesAgentEmulator;
import io.bulkhead.core.qrexec.emulator.QubesAgentEmulator.CallResult;
import io.bulkhead.core.qrexec.emulator.QubesAgentEmulator.DataVchan;
import io.bulkhead.core.qrexec.emulator.RawVchanAgent;
import io.bulkhead.core.qrexec.emulator.Wire;
import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.transport.VchanSocketEndpoint;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * dom0 as qrexec-daemon for agents on libvchan-socket, against a test-side Qubes agent
 * ({@link QubesAgentEmulator}, which shares no code with the transport) and scripted hostile
 * agents, over real unix sockets. Hex vectors are the bytes as Qubes' structs put them on the
 * wire (little-endian {@code msg_header}, {@code exec_params}, {@code peer_info}).
 */
@Timeout(30)
class VchanSocketTransportTest {
    private static final String HELLO_V4 = "00030000" + "04000000" + "04000000";

    @TempDir
    Path tmp;

    private final QrexecDaemon daemon = new QrexecDaemon(
            new DaemonSettings("user", 5_000, 16, 1000, 1000, 10_000, 1 << 16, MuxConfig.DEFAULT), 5_000);
    private final Map<String, VchanSocketEndpoint> endpoints = new ConcurrentHashMap<>();
    private final List<AutoCloseable> agents = new ArrayList<>();

    @BeforeEach
    void wire() {
        daemon.bindVchanSocketProvider(qube -> Optional.ofNullable(endpoints.get(qube)), Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        daemon.deactivate();
        for (AutoCloseable a : agents) {
            a.close();
        }
    }

    private Path dirOf(String qube) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(qube));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** Starts an emulated Qubes agent for {@code qube} and waits until dom0 is connected to it. */
    private QubesAgentEmulator agent(String qube, int domain, int version, Path rpcDir) throws Exception {
        Path dir = dirOf(qube);
        QubesAgentEmulator a = new QubesAgentEmulator(dir, domain, version, rpcDir).start();
        agents.add(a);
        endpoints.put(qube, new VchanSocketEndpoint(dir, domain));
        assertTrue(daemon.awaitAgent(qube, Duration.ofSeconds(5)), qube + " connects");
        return a;
    }

    private QubesAgentEmulator agent(String qube, int domain) throws Exception {
        return agent(qube, domain, 4, Files.createDirectories(tmp.resolve(qube + "-rpc")));
    }

    /** A scripted agent that has done a correct hello. */
    private RawVchanAgent rawAgent(String qube, int domain) throws Exception {
        RawVchanAgent raw = RawVchanAgent.listen(dirOf(qube), domain);
        agents.add(raw);
        endpoints.put(qube, new VchanSocketEndpoint(raw.dir(), domain));
        CompletableFuture<Boolean> up = CompletableFuture.supplyAsync(() -> {
            try {
                return daemon.awaitAgent(qube, Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                return false;
            }
        });
        raw.accept(5_000);
        raw.send(Wire.hello(4));
        Object[] hello = raw.next();
        assertEquals(HELLO_V4, hex(Wire.message((Integer) hello[0], (byte[]) hello[1])));
        assertTrue(up.get(5, TimeUnit.SECONDS));
        return raw;
    }

    private static String le32(int v) {
        return hex(Wire.le32(v));
    }

    private static String ascii(String s) {
        return hex(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- hello --------------------------------------------------------------------------------------

    @Test
    void controlHelloIsEchoedByteForByteAsQrexecDaemonDoes() throws Exception {
        QubesAgentEmulator v4 = agent("work", 5);
        assertEquals(HELLO_V4, hex(v4.daemonHello()));
        QubesAgentEmulator v3 = agent("old", 7, 3, tmp);
        assertEquals("00030000" + "04000000" + "03000000", hex(v3.daemonHello()), "the agent's own peer_info comes back");
        assertEquals(Set.of("old", "work"), daemon.connectedQubes());
    }

    // ---- dom0 -> qube -------------------------------------------------------------------------------

    @Test
    void dom0RunsACommandWithStdinStdoutStderrAndExitCode() throws Exception {
        QubesAgentEmulator work = agent("work", 5);
        String command = "cat; echo oops >&2; exit 3";
        RemoteProcess p = daemon.exec("work", "DEFAULT", command);
        p.stdin().write("hello".getBytes(StandardCharsets.UTF_8));
        p.stdin().close();
        assertEquals("hello", utf8(p.stdout().readAllBytes()));
        assertEquals("oops\n", utf8(p.stderr().readAllBytes()));
        assertEquals(3, p.waitFor());

        // control: hello echo, then MSG_EXEC_CMDLINE {connect_domain 0, port 513, "user:cmd\0"}
        String cmd = "user:" + command;
        assertEquals(HELLO_V4 + "00020000" + le32(8 + cmd.length() + 1) + "00000000" + "01020000" + ascii(cmd) + "00",
                hex(work.controlFromDom0()));
        // dom0 served the data vchan vchan.0.5.513.sock: its hello, stdin, stdin EOF
        DataVchan v = work.vchans().get(0);
        assertEquals(work.vchans().size(), 1);
        assertEquals(tmp.resolve("work").resolve("vchan.0.5.513.sock"), v.path);
        assertFalse(v.agentServes);
        assertEquals(HELLO_V4 + "90010000" + "05000000" + ascii("hello") + "90010000" + "00000000", hex(v.fromDom0()));
        waitUntil(() -> !Files.exists(v.path), "dom0 removes its socket file once the agent connected");
    }

    @Test
    void justExecAndServiceCallsUseTheirOwnMessages() throws Exception {
        Path rpc = Files.createDirectories(tmp.resolve("rpc"));
        Path svc = rpc.resolve("test.Hello");
        Files.writeString(svc, "#!/bin/sh\necho \"hi $QREXEC_REMOTE_DOMAIN arg=$1\"\n");
        svc.toFile().setExecutable(true);
        QubesAgentEmulator work = agent("work", 5, 4, rpc);
        assertEquals(0, daemon.justExec("work", "root", "true"));
        RemoteProcess p = daemon.callService("work", null, "test.Hello+x");
        p.stdin().close();
        assertEquals("hi dom0 arg=x\n", utf8(p.stdout().readAllBytes()));
        assertEquals(0, p.waitFor());
        RemoteProcess missing = daemon.callService("work", null, "test.Missing");
        missing.stdin().close();
        assertEquals(127, missing.waitFor());
        List<String> execs = work.execCommands();
        assertEquals("0 513 root:true", execs.get(0));
        assertTrue(execs.get(1).matches("0 51[34] user:QUBESRPC test\\.Hello\\+x dom0"), execs.get(1));
        assertTrue(hex(work.controlFromDom0()).startsWith(HELLO_V4 + "01020000" + le32(8 + "root:true".length() + 1)
                + "00000000" + "01020000"), "MSG_JUST_EXEC");
    }

    @Test
    void concurrentCallsGetDistinctPortsAndAPortIsReusedOnlyAfterTheAgentReleasesIt() throws Exception {
        daemon.setPolicyService(new TestPolicy("barrier.Call * work dom0 deny\n"));
        QubesAgentEmulator work = agent("work", 5);
        work.setAutoTerminate(false);
        List<RemoteProcess> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(daemon.exec("work", "root", "cat"));
        }
        waitUntil(() -> work.vchans().size() == 3, "three data vchans");
        assertEquals(Set.of(513, 514, 515), ports(work.vchans()));

        RemoteProcess second = running.get(1);
        int secondPort = portOf(work, 1);
        second.stdin().close();
        assertEquals(0, second.waitFor());
        waitUntil(() -> work.heldTerminations().size() == 1, "the agent finished the vchan");
        // finished, but not reported: dom0 must not hand the port out again
        RemoteProcess fourth = daemon.exec("work", "root", "true");
        assertEquals(0, fourth.waitFor());
        assertEquals(516, work.vchans().get(3).port);

        work.sendTerminated(0, secondPort);
        // messages are handled in order: once the refusal arrives, the release was processed
        assertEquals(126, work.call("dom0", "barrier.Call", new byte[0]).exitCode());
        RemoteProcess fifth = daemon.exec("work", "root", "true");
        assertEquals(0, fifth.waitFor());
        assertEquals(secondPort, work.vchans().get(4).port, "the lowest free port, as allocate_vchan_port");

        // a release naming another domain frees nothing (release_vchan_port checks the domain)
        work.sendTerminated(7, 513);
        assertEquals(126, work.call("dom0", "barrier.Call", new byte[0]).exitCode());
        RemoteProcess sixth = daemon.exec("work", "root", "true");
        assertEquals(0, sixth.waitFor());
        assertEquals(517, work.vchans().get(5).port);
        for (RemoteProcess p : running) {
            p.stdin().close();
            p.waitFor();
        }
    }

    private static Set<Integer> ports(List<DataVchan> vchans) {
        Set<Integer> out = new TreeSet<>();
        for (DataVchan v : vchans) {
            out.add(v.port);
        }
        return out;
    }

    /** The port of the {@code i}-th exec: the order of exec requests on the control vchan. */
    private static int portOf(QubesAgentEmulator a, int i) {
        return Integer.parseInt(a.execCommands().get(i).split(" ")[1]);
    }

    // ---- qube -> dom0 and qube -> qube --------------------------------------------------------------

    @Test
    void aQubeCallsDom0ServicesThroughTheRouterWithQubesExitStatuses() throws Exception {
        daemon.setPolicyService(new TestPolicy("""
                test.Echo * work dom0 allow
                test.Missing * work dom0 allow
                test.Denied * work dom0 deny
                """));
        Dom0RpcHandler echo = call -> {
            byte[] in = call.stdin().readAllBytes();
            call.stdout().write(("echo:" + utf8(in) + " from " + call.source()).getBytes(StandardCharsets.UTF_8));
            call.stderr().write("e".getBytes(StandardCharsets.UTF_8));
            return 7;
        };
        daemon.bindDom0RpcHandler(echo, Map.of(Dom0RpcHandler.SERVICE_PROPERTY, "test.Echo"));
        QubesAgentEmulator work = agent("work", 5);

        CallResult ok = work.call("dom0", "test.Echo", "ping".getBytes(StandardCharsets.UTF_8));
        assertEquals(7, ok.exitCode());
        assertEquals("echo:ping from work", ok.stdout());
        assertEquals("e", ok.stderr());
        // MSG_SERVICE_CONNECT {connect_domain 0, port 513, ident "SOCKET7" NUL-padded to 32}
        String ident = ascii("SOCKET7") + "00".repeat(32 - 7);
        assertEquals(HELLO_V4 + "02020000" + le32(40) + "00000000" + "01020000" + ident, hex(work.controlFromDom0()));
        // qrexec-client-vm served vchan.5.0.513.sock; dom0 connected, said hello first, ended with the exit code
        assertTrue(ok.vchan().agentServes);
        assertEquals(tmp.resolve("work").resolve("vchan.5.0.513.sock"), ok.vchan().path);
        String served = hex(ok.vchan().fromDom0());
        assertTrue(served.startsWith(HELLO_V4), served);
        assertTrue(served.contains("91010000" + le32(19) + ascii("echo:ping from work")), served);
        assertTrue(served.endsWith("93010000" + "04000000" + "07000000"), served);

        int before = work.controlFromDom0().length;
        CallResult denied = work.call("dom0", "test.Denied", new byte[0]);
        assertEquals(126, denied.exitCode());
        byte[] all = work.controlFromDom0();
        byte[] refusal = java.util.Arrays.copyOfRange(all, before, all.length);
        assertEquals("03020000" + le32(32) + ascii("SOCKET8") + "00".repeat(32 - 7), hex(refusal));

        assertEquals(127, work.call("dom0", "test.Missing", new byte[0]).exitCode(), "allowed, no handler");
        assertEquals(126, work.call("dom0", "test.Unlisted", new byte[0]).exitCode(), "no rule: denied");
    }

    @Test
    void aQubeCallsAnotherQubeThroughTheRouter() throws Exception {
        daemon.setPolicyService(new TestPolicy("qubes.Cat * work vault allow\n"));
        Path rpc = Files.createDirectories(tmp.resolve("vault-rpc"));
        Path cat = rpc.resolve("qubes.Cat");
        Files.writeString(cat, "#!/bin/sh\necho \"from $QREXEC_REMOTE_DOMAIN\"; cat; echo done >&2; exit 4\n");
        cat.toFile().setExecutable(true);
        QubesAgentEmulator work = agent("work", 5);
        QubesAgentEmulator vault = agent("vault", 6, 4, rpc);

        byte[] big = new byte[300_000];
        java.util.Arrays.fill(big, (byte) 'x');
        CallResult r = work.call("vault", "qubes.Cat", big);
        assertEquals(4, r.exitCode());
        assertEquals("from work\n" + "x".repeat(big.length), r.stdout());
        assertEquals("done\n", r.stderr());
        // dom0 relays: both agents see dom0 (0) as the other end of their data vchan
        assertEquals("0 513 user:QUBESRPC qubes.Cat+ work", vault.execCommands().get(0));
        assertEquals(tmp.resolve("vault").resolve("vchan.0.6.513.sock"), vault.vchans().get(0).path);
        assertEquals(0, r.vchan().domain);
        assertEquals(tmp.resolve("work").resolve("vchan.5.0.513.sock"), r.vchan().path);
    }

    @Test
    void aVchanQubeCallsAQubeOnTheMultiplexedChannel() throws Exception {
        daemon.setPolicyService(new TestPolicy("svc.Mixed * work mux allow\n"));
        QubesAgentEmulator work = agent("work", 5);
        FakeAgent mux = FakeAgent.connect(daemon, "mux", 8, 4);
        CompletableFuture<CallResult> call = CompletableFuture.supplyAsync(() -> {
            try {
                return work.call("mux", "svc.Mixed", "in".getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Message exec = mux.next();
        ExecParams params = ExecParams.decode(exec.payload());
        assertEquals(5, params.connectDomain(), "the mux agent is told the caller's id");
        assertEquals("user:QUBESRPC svc.Mixed+ work", params.command());
        MuxStream s = mux.link.stream(params.connectPort());
        assertEquals(Message.hello(4), s.read(5000));
        s.write(Message.hello(4));
        assertEquals("in", utf8(s.read(5000).payload()));
        assertEquals(Message.eof(MessageType.DATA_STDIN), s.read(5000));
        s.write(new Message(MessageType.DATA_STDOUT, "out".getBytes(StandardCharsets.UTF_8)));
        s.write(Message.eof(MessageType.DATA_STDOUT));
        s.write(Message.eof(MessageType.DATA_STDERR));
        s.write(Message.exitCode(9));
        s.end();
        CallResult r = call.get(10, TimeUnit.SECONDS);
        assertEquals(9, r.exitCode());
        assertEquals("out", r.stdout());
        s.close();
    }

    // ---- hostile agents -----------------------------------------------------------------------------

    @Test
    void aBadHelloIsRefusedAndOtherQubesStayConnected() throws Exception {
        QubesAgentEmulator good = agent("good", 5);
        byte[][] hellos = {
            Wire.message(Wire.MSG_HELLO, new byte[] {4, 0, 0, 0, 0}), // peer_info of 5 bytes
            Wire.hello(1), // below the minimum version 2
            Wire.message(Wire.MSG_TRIGGER_SERVICE4, Wire.trigger4("dom0", "SOCKET1", "x")), // no hello first
        };
        for (int i = 0; i < hellos.length; i++) {
            String qube = "bad" + i;
            RawVchanAgent raw = RawVchanAgent.listen(dirOf(qube), 20 + i);
            agents.add(raw);
            endpoints.put(qube, new VchanSocketEndpoint(raw.dir(), 20 + i));
            CompletableFuture<Boolean> up = CompletableFuture.supplyAsync(() -> {
                try {
                    return daemon.awaitAgent(qube, Duration.ofMillis(600));
                } catch (InterruptedException e) {
                    return true;
                }
            });
            raw.accept(5_000);
            raw.send(hellos[i]);
            assertTrue(raw.closedByDom0(5_000), qube + ": dom0 hangs up");
            endpoints.remove(qube);
            assertFalse(up.get(5, TimeUnit.SECONDS), qube + " is not connected");
        }
        assertEquals(Set.of("good"), daemon.connectedQubes());
        RemoteProcess p = daemon.exec("good", "root", "echo still");
        assertEquals("still\n", utf8(p.stdout().readAllBytes()));
        assertNotNull(good.daemonHello());
    }

    @Test
    void oversizedUnknownOrMisdirectedControlMessagesCloseOnlyThatQubesLink() throws Exception {
        QubesAgentEmulator good = agent("good", 5);
        byte[][] attacks = {
            // MSG_TRIGGER_SERVICE4 longer than 160 + 65000: refused on the header, nothing allocated
            concat(Wire.le32(Wire.MSG_TRIGGER_SERVICE4), Wire.le32(160 + 65001)),
            concat(Wire.le32(Wire.MSG_TRIGGER_SERVICE4), Wire.le32(0x7fffffff)),
            Wire.message(0x999, new byte[0]), // unknown type
            Wire.message(Wire.MSG_EXEC_CMDLINE, concat(Wire.execParams(0, 513), "id\0".getBytes(StandardCharsets.US_ASCII))),
            Wire.message(Wire.MSG_CONNECTION_TERMINATED, Wire.execParams(0, 512)), // below 513
            Wire.message(Wire.MSG_CONNECTION_TERMINATED, Wire.execParams(0, 769)), // above 768
            Wire.message(Wire.MSG_CONNECTION_TERMINATED, new byte[4]), // short exec_params
        };
        for (int i = 0; i < attacks.length; i++) {
            String qube = "evil" + i;
            RawVchanAgent raw = rawAgent(qube, 30 + i);
            // a call in progress towards it: dom0 listens for the agent's data vchan
            RemoteProcess p = daemon.exec(qube, "root", "true");
            Object[] exec = raw.next();
            assertEquals(Wire.MSG_EXEC_CMDLINE, exec[0]);
            Path dataSocket = raw.dir().resolve("vchan.0." + (30 + i) + ".513.sock");
            assertTrue(Files.exists(dataSocket));
            raw.send(attacks[i]);
            assertTrue(raw.closedByDom0(5_000), qube + ": control vchan closed after attack " + i);
            assertEquals(125, p.waitFor(), "its call fails");
            waitUntil(() -> !daemon.isConnected(qube), qube + " disconnected");
            assertFalse(Files.exists(dataSocket), "its data vchan listener is gone");
        }
        assertEquals(Set.of("good"), daemon.connectedQubes());
        RemoteProcess p = daemon.exec("good", "root", "echo fine");
        assertEquals("fine\n", utf8(p.stdout().readAllBytes()));
        assertEquals(0, p.waitFor());
        assertFalse(good.controlClosed().isDone());
    }

    @Test
    void anAgentGoingAwayEvenInsideAMessageIsDisconnected() throws Exception {
        RawVchanAgent cut = rawAgent("cut", 42);
        cut.send(concat(concat(Wire.le32(Wire.MSG_TRIGGER_SERVICE4), Wire.le32(200)), new byte[10]));
        cut.close();
        RawVchanAgent gone = rawAgent("gone", 43);
        gone.close();
        waitUntil(() -> daemon.connectedQubes().isEmpty(), "both disconnected");
    }

    @Test
    void breakingTheDataRulesClosesTheQubesLinkAndTheCallGets125() throws Exception {
        agent("good", 5);
        RawVchanAgent raw = rawAgent("bad", 40);
        RemoteProcess p = daemon.exec("bad", "root", "x");
        Object[] exec = raw.next();
        int port = Wire.le32((byte[]) exec[1], 4);
        try (SocketChannel data = raw.connectData(0, port)) {
            data.write(java.nio.ByteBuffer.wrap(Wire.message(Wire.MSG_DATA_STDOUT, new byte[] {1}))); // before its hello
            assertEquals(125, p.waitFor());
            assertTrue(raw.closedByDom0(5_000));
        }
        waitUntil(() -> !daemon.isConnected("bad"), "bad disconnected");
        assertTrue(daemon.isConnected("good"));
    }

    @Test
    void aLinkPlantedForACallersSocketIsNotFollowed() throws Exception {
        daemon.setPolicyService(new TestPolicy("test.Echo * sly dom0 allow\n"));
        daemon.bindDom0RpcHandler(call -> 0, Map.of(Dom0RpcHandler.SERVICE_PROPERTY, "test.Echo"));
        RawVchanAgent raw = rawAgent("sly", 41);
        Path decoyPath = tmp.resolve("decoy.sock");
        try (ServerSocketChannel decoy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            decoy.bind(UnixDomainSocketAddress.of(decoyPath));
            decoy.configureBlocking(false);
            raw.send(Wire.message(Wire.MSG_TRIGGER_SERVICE4, Wire.trigger4("dom0", "SOCKET3", "test.Echo")));
            Object[] connect = raw.next();
            assertEquals(Wire.MSG_SERVICE_CONNECT, connect[0]);
            int port = Wire.le32((byte[]) connect[1], 4);
            Files.createSymbolicLink(raw.dir().resolve("vchan.41.0." + port + ".sock"), decoyPath);
            Thread.sleep(300);
            assertNull(decoy.accept(), "dom0 did not connect through the link");
        }
        assertTrue(daemon.isConnected("sly"), "a planted file fails only that call");
    }

    @Test
    void anAgentThatNeverAcceptsOrAnswersDoesNotHangTheDaemon() throws Exception {
        QrexecDaemon quick = new QrexecDaemon(
                new DaemonSettings("user", 200, 16, 1000, 1000, 10_000, 1 << 16, MuxConfig.DEFAULT), 1_000);
        try {
            quick.bindVchanSocketProvider(qube -> Optional.ofNullable(endpoints.get(qube)), Map.of());
            RawVchanAgent mute = RawVchanAgent.listen(dirOf("mute"), 60); // listens, never accepts
            agents.add(mute);
            endpoints.put("mute", new VchanSocketEndpoint(mute.dir(), 60));
            // the first connections fill the backlog of one; later connect() calls would block
            for (int i = 0; i < 4; i++) {
                assertFalse(quick.awaitAgent("mute", Duration.ofMillis(300)));
            }
            assertTrue(quick.connectedQubes().isEmpty());
        } finally {
            quick.deactivate();
        }
    }

    @Test
    void aMissingOrBadDirectoryIsReportedAndTheQubeIsNotConnected() throws Exception {
        endpoints.put("ghost", new VchanSocketEndpoint(tmp.resolve("nope"), 50));
        assertFalse(daemon.awaitAgent("ghost", Duration.ofMillis(300)));
        Path longDir = Files.createDirectories(tmp.resolve("d".repeat(100)));
        endpoints.put("long", new VchanSocketEndpoint(longDir, 51));
        assertFalse(daemon.awaitAgent("long", Duration.ofMillis(300)));
        assertTrue(daemon.connectedQubes().isEmpty());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void waitUntil(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not reached in 5 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
