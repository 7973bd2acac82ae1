package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.internal.DaemonHarness;
import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxFrames;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.LittleEndian;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.TriggerServiceParams;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hostile qube feeds dom0 random and mutated frames, or floods it with calls, while a good
 * qube keeps calling another qube and dom0 keeps running commands: every good call must succeed.
 */
@Timeout(180)
class HostileQubeE2ETest {
    private static final String POLICY = String.join("\n",
            "test.Echo  *  good   vault  allow",
            "test.Dom0  *  flood  dom0   allow",
            "*          *  @anyvm @anyvm deny", "");

    @Test
    void fuzzedFramesOnlyCloseTheHostileLink() throws Exception {
        try (World world = new World(POLICY)) {
            world.start("good");
            world.start("vault");
            Path evil = world.dom0.listen("evil", 66, world.dir.resolve("evil.dom0.sock"));
            GoodTraffic good = GoodTraffic.start(world);
            // a new seed each run (printed; -Dfuzz.seed=N repeats a run)
            long seed = Long.getLong("fuzz.seed", System.nanoTime());
            Fuzzer fuzzer = new Fuzzer(evil, new Random(seed));
            fuzzer.run(100_000);
            good.stop();
            System.out.printf("fuzzer (seed %d): %d frames over %d connections; good qube: %d calls, all succeeded%n",
                    seed, fuzzer.frames, fuzzer.connections, good.calls.get());
            assertTrue(fuzzer.frames >= 100_000);
            assertTrue(fuzzer.connections > 10, "violations closed the hostile link many times");
            assertEquals(0, good.failures.get(), "first failure: " + good.firstFailure);
            assertTrue(good.calls.get() >= 10, "the good qube kept calling during the fuzzing");
            assertTrue(world.dom0.service().isConnected("good") && world.dom0.service().isConnected("vault"));
            assertEquals("after", world.call("good", "vault", "test.Echo", "after".getBytes(StandardCharsets.UTF_8)).out());
        }
    }

    @Test
    void callFloodIsThrottledPerQube() throws Exception {
        DaemonHarness dom0 = new DaemonHarness(POLICY, 1, 20, 10_000);
        try (World world = new World(dom0)) {
            world.start("good");
            world.start("vault");
            AtomicInteger handled = new AtomicInteger();
            dom0.addDom0Handler("test.Dom0", call -> {
                handled.incrementAndGet();
                return 0;
            });
            GoodTraffic good = GoodTraffic.start(world);
            Path sock = dom0.listen("flood", 77, world.dir.resolve("flood.dom0.sock"));
            MuxLink link = MuxLink.open(UnixSocketChannel.connect(sock), MuxLink.Role.GUEST, MuxConfig.DEFAULT, "flood");
            link.start();
            link.control().write(Message.hello(4));
            assertEquals(MessageType.HELLO, link.control().read(5000).type());
            int total = 1000;
            for (int i = 0; i < total; i++) {
                byte[] p = new TriggerServiceParams("", "dom0", "f" + i, "test.Dom0").encode(MessageType.TRIGGER_SERVICE4);
                link.control().write(MessageType.TRIGGER_SERVICE4, p, 0, p.length);
            }
            int refused = 0;
            int connected = 0;
            while (refused + connected < total) {
                Message m = link.control().read(30_000);
                if (m.type() == MessageType.SERVICE_REFUSED) {
                    refused++;
                } else {
                    connected++;
                    MuxStream s = link.stream(ExecParams.decodeServiceConnect(m.payload()).connectPort());
                    try {
                        s.write(Message.hello(4));
                        s.write(Message.eof(MessageType.DATA_STDIN));
                        s.end();
                    } catch (IOException e) {
                        // dom0's handler may already be done with the call
                    }
                    s.close();
                }
            }
            // the good qube's own calls continue meanwhile (its budget is separate from the flood's)
            long end = System.nanoTime() + 20_000_000_000L;
            while (good.calls.get() < 6 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            good.stop();
            link.close();
            System.out.printf("flood: %d calls, %d connected, %d refused; good qube: %d calls%n", total, connected, refused,
                    good.calls.get());
            assertTrue(connected <= 20 + 60, "burst 20 + 1/s: " + connected + " connected");
            assertTrue(refused >= total - 80);
            assertEquals(0, good.failures.get(), "first failure: " + good.firstFailure);
            assertTrue(good.calls.get() >= 5);
        }
    }

    /** The good qube's traffic: VM to VM echo calls and dom0 commands, checked one by one. */
    static final class GoodTraffic {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        volatile String firstFailure;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private CompletableFuture<Void> done;

        static GoodTraffic start(World world) {
            GoodTraffic t = new GoodTraffic();
            t.done = CompletableFuture.runAsync(() -> {
                int i = 0;
                while (t.running.get()) {
                    i++;
                    String expected = "good-" + i;
                    try {
                        String got;
                        if (i % 2 == 0) {
                            got = world.call("good", "vault", "test.Echo", expected.getBytes(StandardCharsets.UTF_8)).out();
                        } else {
                            RemoteProcess p = world.dom0.service().exec("good", "root", "echo " + expected);
                            p.stdin().close();
                            got = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).trim();
                            if (p.waitFor() != 0) {
                                got = "exit " + p.onExit().join();
                            }
                        }
                        if (!expected.equals(got)) {
                            t.fail("call " + i + " returned '" + got + "'");
                        }
                    } catch (Exception e) {
                        t.fail("call " + i + ": " + e);
                    }
                    t.calls.incrementAndGet();
                }
            });
            return t;
        }

        private void fail(String what) {
            if (failures.getAndIncrement() == 0) {
                firstFailure = what;
            }
        }

        void stop() {
            running.set(false);
            done.join();
        }
    }

    /** Writes random and mutated mux frames and Qubes messages to dom0 as a qube, reconnecting after each close. */
    static final class Fuzzer {
        private final Path socket;
        private final Random random;
        long frames;
        int connections;

        Fuzzer(Path socket, Random random) {
            this.socket = socket;
            this.random = random;
        }

        void run(long target) throws Exception {
            while (frames < target) {
                connections++;
                try (UnixSocketChannel ch = UnixSocketChannel.connect(socket)) {
                    drain(ch.input());
                    OutputStream out = ch.output();
                    ByteArrayOutputStream batch = new ByteArrayOutputStream();
                    batch.write(preamble());
                    boolean hello = random.nextInt(10) > 0;
                    if (hello) {
                        batch.write(frame(0, MuxFrames.DATA, Message.hello(2 + random.nextInt(3)).encode()));
                    }
                    // valid triggers keep the link open for a while, then the mutations start
                    int n = 1 + random.nextInt(400);
                    for (int i = 0; i < n; i++) {
                        batch.write(nextFrame(hello && i < n / 2));
                        frames++;
                        if (batch.size() > 64 * 1024) {
                            out.write(batch.toByteArray());
                            batch.reset();
                        }
                    }
                    out.write(batch.toByteArray());
                } catch (IOException e) {
                    // dom0 closed the link: the expected outcome of a violation
                }
            }
        }

        private byte[] preamble() {
            byte[] p = new byte[MuxFrames.PREAMBLE_SIZE];
            System.arraycopy("BHQRXMUX".getBytes(StandardCharsets.US_ASCII), 0, p, 0, 8);
            LittleEndian.putInt(p, 8, 1);
            LittleEndian.putInt(p, 12, 256 * 1024);
            if (random.nextInt(50) == 0) {
                p[random.nextInt(p.length)] ^= (byte) (1 + random.nextInt(255));
            }
            return p;
        }

        private byte[] nextFrame(boolean wellFormed) {
            if (wellFormed) {
                return frame(0, MuxFrames.DATA, new Message(MessageType.TRIGGER_SERVICE4, randomTrigger()).encode());
            }
            switch (random.nextInt(6)) {
                case 0: { // random bytes
                    byte[] b = new byte[1 + random.nextInt(64)];
                    random.nextBytes(b);
                    return b;
                }
                case 1: { // random header, small payload
                    byte[] payload = new byte[random.nextInt(32)];
                    random.nextBytes(payload);
                    byte[] h = new byte[MuxFrames.HEADER_SIZE];
                    random.nextBytes(h);
                    if (random.nextBoolean()) {
                        h[5] = 0;
                        h[6] = 0;
                        h[7] = 0;
                        h[4] = (byte) random.nextInt(6);
                    }
                    return concat(h, payload);
                }
                case 2: { // a Qubes message of any type and length on the control stream
                    int[] types = {MessageType.HELLO, MessageType.EXEC_CMDLINE, MessageType.DATA_STDIN, MessageType.TRIGGER_SERVICE,
                        MessageType.TRIGGER_SERVICE3, MessageType.TRIGGER_SERVICE4, MessageType.CONNECTION_TERMINATED, 0x1234,
                        MessageType.DATA_EXIT_CODE, MessageType.SERVICE_CONNECT};
                    byte[] payload = new byte[random.nextInt(300)];
                    random.nextBytes(payload);
                    return frame(0, MuxFrames.DATA, new Message(types[random.nextInt(types.length)], payload).encode());
                }
                case 3: { // a valid trigger with flipped bytes
                    byte[] m = frame(0, MuxFrames.DATA, new Message(MessageType.TRIGGER_SERVICE4, randomTrigger()).encode());
                    for (int i = random.nextInt(4); i >= 0; i--) {
                        m[random.nextInt(m.length)] ^= (byte) (1 + random.nextInt(255));
                    }
                    return m;
                }
                case 4: { // flow-control frames for random streams
                    int kind = 1 + random.nextInt(4);
                    byte[] payload = kind == MuxFrames.CREDIT ? new byte[4] : new byte[0];
                    if (payload.length == 4) {
                        LittleEndian.putInt(payload, 0, random.nextInt());
                    }
                    return frame(random.nextInt(4), kind, payload);
                }
                default: { // a frame claiming a huge length
                    byte[] h = frame(random.nextInt(3), MuxFrames.DATA, new byte[0]);
                    LittleEndian.putInt(h, 8, 65552 + random.nextInt(Integer.MAX_VALUE - 65552));
                    return h;
                }
            }
        }

        private byte[] randomTrigger() {
            String[] targets = {"vault", "@default", "dom0", "@dispvm", "good", "x".repeat(63), "@anyvm"};
            String[] services = {"test.Echo", "qubes.Gpg+key", "+x", "a/b", "test.Dom0", "s".repeat(300)};
            return new TriggerServiceParams(random.nextBoolean() ? "" : "relay", targets[random.nextInt(targets.length)],
                    "F" + random.nextInt(1000), services[random.nextInt(services.length)]).encode(MessageType.TRIGGER_SERVICE4);
        }

        private static byte[] frame(int stream, int kind, byte[] payload) {
            byte[] h = new byte[MuxFrames.HEADER_SIZE];
            LittleEndian.putInt(h, 0, stream);
            h[4] = (byte) kind;
            LittleEndian.putInt(h, 8, payload.length);
            return concat(h, payload);
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = new byte[a.length + b.length];
            System.arraycopy(a, 0, out, 0, a.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        /** Reads and discards what dom0 sends (preamble, hello, refusals) so its writes never block. */
        private static void drain(InputStream in) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                try {
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "fuzz-drain");
            t.setDaemon(true);
            t.start();
        }
    }
}
