package io.bulkhead.core.qrexec.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.AgentNotConnectedException;
import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.QrexecException;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import io.bulkhead.core.qrexec.protocol.ServiceParams;
import io.bulkhead.core.qrexec.protocol.TriggerServiceParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The daemon against scripted agents: handshake, exec, hostile agents, refusals, handler lookup. */
@Timeout(30)
class QrexecDaemonTest {
    private final QrexecDaemon daemon = new QrexecDaemon(
            new DaemonSettings("user", 5_000, 4, 1000, 1000, 300, 1 << 16, MuxConfig.DEFAULT), 2_000);

    @AfterEach
    void stop() {
        daemon.deactivate();
    }

    @Test
    void helloAnswersWithOurVersionAndBothUseTheMinimum() throws Exception {
        FakeAgent a = FakeAgent.connect(daemon, "old", 3, 3);
        assertEquals(Message.hello(ProtocolVersion.CURRENT), a.daemonHello);
        assertTrue(daemon.isConnected("old"));
        // at version 3 the v4 trigger is a protocol violation
        a.send(MessageType.TRIGGER_SERVICE4, new TriggerServiceParams("", "x", "i", "s").encode(MessageType.TRIGGER_SERVICE4));
        a.link.closedFuture().get(5, TimeUnit.SECONDS);
        waitUntil(() -> !daemon.isConnected("old"));
    }

    @Test
    void execSendsTheCommandAndStreamsTheAnswer() throws Exception {
        FakeAgent a = FakeAgent.connect(daemon, "work", 5, 4);
        RemoteProcess p = daemon.exec("work", "DEFAULT", "echo hi");
        Message exec = a.next();
        assertEquals(MessageType.EXEC_CMDLINE, exec.type());
        ExecParams params = ExecParams.decode(exec.payload());
        assertEquals(0, params.connectDomain(), "dom0 is the peer");
        assertEquals("user:echo hi", params.command(), "DEFAULT becomes the configured user");
        MuxStream s = a.link.stream(params.connectPort());
        assertEquals(Message.hello(4), s.read(5000));
        s.write(Message.hello(4));
        s.write(new Message(MessageType.DATA_STDOUT, "hi\n".getBytes(StandardCharsets.UTF_8)));
        s.write(Message.eof(MessageType.DATA_STDOUT));
        s.write(new Message(MessageType.DATA_STDERR, "warn".getBytes(StandardCharsets.UTF_8)));
        s.write(Message.eof(MessageType.DATA_STDERR));
        s.write(Message.exitCode(42));
        s.end();
        assertArrayEquals("hi\n".getBytes(StandardCharsets.UTF_8), p.stdout().readAllBytes());
        assertEquals("warn", new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(42, p.waitFor());
        p.stdin().close(); // after the exit: harmless
        s.close();
    }

    @Test
    void theHelloComesBeforeTheRequestAndAnEmptyStdinEndsWithoutWaitingForTheAgent() throws Exception {
        FakeAgent a = FakeAgent.connect(daemon, "work", 5, 4);
        RemoteProcess p = daemon.exec("work", "DEFAULT", "true");
        // on the mux, dom0's data hello is already there when the agent claims the announced stream
        Message exec = a.next();
        MuxStream s = a.link.stream(ExecParams.decode(exec.payload()).connectPort());
        assertTrue(s.hasQueuedThrough(m -> true, 0), "dom0's hello arrived with the request");
        // the agent has not said hello yet: closing an empty stdin does not wait for it
        CompletableFuture.runAsync(() -> {
            try {
                p.stdin().close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(5, TimeUnit.SECONDS);
        assertEquals(Message.hello(ProtocolVersion.CURRENT), s.read(5000));
        assertEquals(Message.eof(MessageType.DATA_STDIN), s.read(5000), "the EOF follows dom0's hello");
        assertThrows(IOException.class, () -> p.stdin().write(1), "nothing can follow the EOF");
        s.write(Message.hello(4));
        s.write(Message.eof(MessageType.DATA_STDOUT));
        s.write(Message.eof(MessageType.DATA_STDERR));
        s.write(Message.exitCode(0));
        s.end();
        assertEquals(0, p.waitFor());
        s.close();
    }

    @Test
    void anAgentBreakingTheDataRulesLosesItsLinkAndTheCallGets125() throws Exception {
        FakeAgent bad = FakeAgent.connect(daemon, "bad", 6, 4);
        FakeAgent good = FakeAgent.connect(daemon, "good", 7, 4);
        RemoteProcess p = daemon.exec("bad", "root", "x");
        ExecParams params = ExecParams.decode(bad.next().payload());
        MuxStream s = bad.link.stream(params.connectPort());
        s.write(new Message(MessageType.DATA_STDOUT, new byte[] {1})); // data before hello
        assertEquals(125, p.waitFor());
        bad.link.closedFuture().get(5, TimeUnit.SECONDS);
        waitUntil(() -> !daemon.isConnected("bad"));
        assertTrue(daemon.isConnected("good"), "other qubes are not affected");
        assertTrue(good.link.isOpen());
        assertThrows(AgentNotConnectedException.class, () -> daemon.exec("bad", "root", "x"));
    }

    @Test
    void controlViolationsCloseOnlyThatLink() throws Exception {
        FakeAgent bad = FakeAgent.connect(daemon, "bad", 6, 4);
        FakeAgent good = FakeAgent.connect(daemon, "good", 7, 4);
        bad.send(MessageType.EXEC_CMDLINE, new ExecParams(0, 1, "root:id").encode()); // a daemon-only message
        bad.link.closedFuture().get(5, TimeUnit.SECONDS);
        waitUntil(() -> !daemon.isConnected("bad"));
        assertTrue(daemon.isConnected("good"));
        FakeAgent port = FakeAgent.connect(daemon, "port", 8, 4);
        port.send(MessageType.CONNECTION_TERMINATED, new ExecParams(0, 0x10000, null).encode());
        port.link.closedFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void invalidOrDuplicateOrUnroutableCallsAreRefusedAndTheLinkStays() throws Exception {
        FakeAgent a = FakeAgent.connect(daemon, "work", 5, 4);
        byte[] bad = new TriggerServiceParams("", "vault", "id1", "svc").encode(MessageType.TRIGGER_SERVICE4);
        bad[128] = '/';
        a.send(MessageType.TRIGGER_SERVICE4, bad);
        Message refused = a.next();
        assertEquals(MessageType.SERVICE_REFUSED, refused.type());
        assertEquals('/', refused.payload()[0], "the refusal echoes the ident as sent");

        // no policy service registered: refused, not hung
        a.send(MessageType.TRIGGER_SERVICE4, new TriggerServiceParams("", "vault", "id2", "svc").encode(MessageType.TRIGGER_SERVICE4));
        Message m = a.next();
        assertEquals(MessageType.SERVICE_REFUSED, m.type());
        assertEquals("id2", ServiceParams.decode(m.payload()));
        assertTrue(a.link.isOpen());
        assertTrue(daemon.isConnected("work"));
    }

    @Test
    void pendingCallsAreCappedPerQube() throws Exception {
        // the prompt blocks, so calls stay pending; the settings allow 4 at once
        daemon.setPolicyService(new TestPolicy("svc * flood vault ask\n"));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        daemon.setAskPrompt(req -> {
            asked.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return java.util.Optional.empty();
        });
        FakeAgent.connect(daemon, "vault", 2, 4);
        FakeAgent a = FakeAgent.connect(daemon, "flood", 9, 4);
        for (int i = 0; i < 50; i++) {
            a.send(MessageType.TRIGGER_SERVICE4, new TriggerServiceParams("", "vault", "n" + i, "svc").encode(MessageType.TRIGGER_SERVICE4));
        }
        for (int i = 0; i < 46; i++) {
            assertEquals(MessageType.SERVICE_REFUSED, a.next().type());
        }
        waitUntil(() -> asked.get() == 4);
        release.countDown();
        for (int i = 0; i < 4; i++) {
            assertEquals(MessageType.SERVICE_REFUSED, a.next().type(), "denied by the user");
        }
        assertEquals(4, asked.get(), "only the pending calls reached the prompt");
        assertTrue(a.link.isOpen());
    }

    @Test
    void dom0HandlerLookupPrefersTheArgumentSpecificNameThenRanking() {
        Dom0RpcHandler plain = c -> 1;
        Dom0RpcHandler specific = c -> 2;
        Dom0RpcHandler ranked = c -> 3;
        daemon.bindDom0RpcHandler(plain, Map.of(Dom0RpcHandler.SERVICE_PROPERTY, "qubes.Foo", "service.id", 1L));
        daemon.bindDom0RpcHandler(specific, Map.of(Dom0RpcHandler.SERVICE_PROPERTY, new String[] {"qubes.Foo+bar", "x.Y"},
                "service.id", 2L));
        assertSame(specific, daemon.dom0Handler("qubes.Foo", "bar").orElseThrow());
        assertSame(plain, daemon.dom0Handler("qubes.Foo", "baz").orElseThrow());
        assertSame(specific, daemon.dom0Handler("x.Y", "").orElseThrow());
        daemon.bindDom0RpcHandler(ranked, Map.of(Dom0RpcHandler.SERVICE_PROPERTY, "qubes.Foo", "service.ranking", 10,
                "service.id", 3L));
        assertSame(ranked, daemon.dom0Handler("qubes.Foo", "").orElseThrow());
        daemon.unbindDom0RpcHandler(ranked, Map.of());
        daemon.unbindDom0RpcHandler(plain, Map.of());
        assertTrue(daemon.dom0Handler("qubes.Foo", "").isEmpty());
    }

    @Test
    void aQubeThatStopsReadingItsChannelIsDisconnected() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("stuck");
        io.bulkhead.core.qrexec.transport.UnixSocketServer server =
                io.bulkhead.core.qrexec.transport.UnixSocketServer.bind(dir.resolve("s"));
        java.util.concurrent.CompletableFuture<Void> attached = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                daemon.attach("stuck", 10, server.accept());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // a raw qube: preamble and hello, then it never reads its channel again
        io.bulkhead.core.qrexec.transport.UnixSocketChannel raw =
                io.bulkhead.core.qrexec.transport.UnixSocketChannel.connect(dir.resolve("s"));
        raw.input().readNBytes(16);
        byte[] pre = new byte[16];
        System.arraycopy("BHQRXMUX".getBytes(StandardCharsets.US_ASCII), 0, pre, 0, 8);
        io.bulkhead.core.qrexec.protocol.LittleEndian.putInt(pre, 8, 1);
        io.bulkhead.core.qrexec.protocol.LittleEndian.putInt(pre, 12, 256 * 1024);
        raw.output().write(pre);
        byte[] hello = new byte[12 + 12];
        io.bulkhead.core.qrexec.protocol.LittleEndian.putInt(hello, 8, 12);
        System.arraycopy(Message.hello(4).encode(), 0, hello, 12, 12);
        raw.output().write(hello);
        attached.get(5, TimeUnit.SECONDS);
        java.util.List<RemoteProcess> calls = new java.util.ArrayList<>();
        java.util.List<Thread> writers = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            RemoteProcess p = daemon.exec("stuck", "root", "cat");
            calls.add(p);
            Thread w = new Thread(() -> {
                try {
                    p.stdin().write(new byte[1 << 20]);
                } catch (Exception e) {
                    // expected once the link is closed
                }
            });
            w.start();
            writers.add(w);
        }
        // the daemon never got the agent's data hello, so stdin waits for it; the control messages
        // and credit frames fill the socket: the stall watchdog (300 ms here) must close the link
        for (int i = 0; i < 200 && daemon.isConnected("stuck"); i++) {
            try {
                calls.add(daemon.exec("stuck", "root", "x".repeat(60_000)));
            } catch (QrexecException e) {
                break; // the link went down meanwhile
            }
        }
        waitUntil(() -> !daemon.isConnected("stuck"));
        for (RemoteProcess p : calls) {
            assertEquals(125, p.waitFor());
        }
        for (Thread w : writers) {
            w.join(5_000);
            assertFalse(w.isAlive());
        }
        raw.close();
        server.close();
    }

    @Test
    void commandsNeedAConnectedAgentAndValidNames() {
        assertThrows(AgentNotConnectedException.class, () -> daemon.exec("nope", "root", "true"));
        QrexecException e = assertThrows(QrexecException.class, () -> daemon.callService("nope", "root", "bad name"));
        assertTrue(e.getMessage().contains("invalid character"), e.getMessage());
    }

    private static void waitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in 5 s");
            }
            Thread.sleep(5);
        }
    }
}
