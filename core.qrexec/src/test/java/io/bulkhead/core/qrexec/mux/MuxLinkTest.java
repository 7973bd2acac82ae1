package io.bulkhead.core.qrexec.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.protocol.LittleEndian;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MuxLinkTest {

    @Test
    void messagesCrossUnchangedOnSeveralStreams() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        MuxStream h1 = l[0].openStream();
        MuxStream h2 = l[0].openStream();
        h1.write(new Message(MessageType.DATA_STDIN, new byte[] {1, 2, 3}));
        h2.write(new Message(MessageType.DATA_STDOUT, new byte[65536]));
        l[0].control().write(Message.hello(4));
        assertEquals(Message.hello(4), l[1].control().read());
        assertEquals(new Message(MessageType.DATA_STDIN, new byte[] {1, 2, 3}), l[1].stream(h1.id()).read());
        assertEquals(65536, l[1].stream(h2.id()).read().length());
        l[0].close();
    }

    /** A stream the host opened on {@code l[0]}, with its hello sent. */
    private static MuxStream openedWithHello(MuxLink[] l) throws IOException {
        MuxStream h = l[0].openStream();
        h.write(Message.hello(4));
        return h;
    }

    @Test
    void writeAllSendsItsMessagesInOrderAndNotAfterTheEnd() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        MuxStream h = openedWithHello(l);
        MuxStream g = l[1].stream(h.id());
        g.writeAll(Message.hello(4), new Message(MessageType.DATA_STDOUT, new byte[] {7}), Message.eof(MessageType.DATA_STDOUT));
        assertEquals(Message.hello(4), h.read());
        assertEquals(new Message(MessageType.DATA_STDOUT, new byte[] {7}), h.read());
        assertEquals(Message.eof(MessageType.DATA_STDOUT), h.read());
        g.end();
        assertThrows(IOException.class, () -> g.writeAll(Message.exitCode(0)));
        l[0].close();
    }

    @Test
    void endAndReleaseFreeTheStreamId() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        MuxStream h = openedWithHello(l);
        MuxStream g = l[1].stream(h.id());
        assertEquals(Message.hello(4), g.read());
        g.write(Message.hello(4));
        h.end();
        assertNull(g.read(), "END reads as end of stream");
        g.close();
        assertEquals(Message.hello(4), h.read());
        assertNull(h.read());
        h.close();
        waitFor(() -> l[0].openStreams() == 0 && l[1].openStreams() == 0);
        assertTrue(l[0].isOpen() && l[1].isOpen());
    }

    @Test
    void abortStopsTheWriterOnTheOtherSide() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        MuxStream h = openedWithHello(l);
        MuxStream g = l[1].stream(h.id());
        g.close(); // never read: aborts
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                h.write(new Message(MessageType.DATA_STDIN, new byte[60_000]));
            }
        });
        assertTrue(e.getMessage().contains("aborted"), e.getMessage());
        h.close();
        waitFor(() -> l[0].openStreams() == 0 && l[1].openStreams() == 0);
    }

    @Test
    void aStalledStreamDoesNotBlockTheOthers() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        MuxStream big = l[0].openStream();
        MuxStream small = l[0].openStream();
        CountDownLatch bigBlocked = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    if (i == 3) {
                        bigBlocked.countDown(); // 4 x (64 KiB + 8) exceed the 256 KiB window: the 4th write waits
                    }
                    big.write(new Message(MessageType.DATA_STDIN, new byte[65536]));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(bigBlocked.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 50; i++) {
            small.write(new Message(MessageType.DATA_STDIN, new byte[] {(byte) i}));
            assertEquals(i, l[1].stream(small.id()).read().payload()[0]);
        }
        assertFalse(writer.isDone(), "the big stream waits for credit while the small one flows");
        MuxStream bigGuest = l[1].stream(big.id());
        for (int i = 0; i < 100; i++) {
            assertEquals(65536, bigGuest.read().length());
        }
        writer.get(10, TimeUnit.SECONDS);
    }

    @Test
    void concurrentStreamsKeepTheirOrder() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int s = 0; s < 50; s++) {
            MuxStream h = l[0].openStream();
            MuxStream g = l[1].stream(h.id());
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        byte[] b = new byte[4 + (i * 37) % 3000];
                        LittleEndian.putInt(b, 0, i);
                        h.write(new Message(MessageType.DATA_STDIN, b));
                    }
                    h.end();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        Message m = g.read();
                        assertEquals(i, LittleEndian.getInt(m.payload(), 0));
                    }
                    assertNull(g.read());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
    }

    @Test
    void hostLimitsConcurrentStreams() throws Exception {
        MuxLink[] l = ChannelPair.links(new MuxConfig(256 * 1024, 3, 1 << 20));
        l[0].openStream();
        l[0].openStream();
        l[0].openStream();
        IOException e = assertThrows(IOException.class, () -> l[0].openStream());
        assertTrue(e.getMessage().contains("3 concurrent streams"));
    }

    @Test
    void guestSkipsStaleBytesBeforeThePreamble() throws Exception {
        ChannelPair p = ChannelPair.open();
        OutputStream out = p.host.output();
        out.write("garbage from an earlier session BHQRX".getBytes());
        CompletableFuture<MuxLink> guest = CompletableFuture.supplyAsync(() -> {
            try {
                return MuxLink.open(p.guest, MuxLink.Role.GUEST, MuxConfig.DEFAULT, "guest");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        MuxLink host = MuxLink.open(p.host, MuxLink.Role.HOST, MuxConfig.DEFAULT, "host");
        assertNotNull(guest.get(5, TimeUnit.SECONDS));
        host.close();
    }

    // ---- a hostile peer gets the link closed -------------------------------------------------------

    @Test
    void dataBeyondTheCreditClosesTheLink() throws Exception {
        RawGuest g = RawGuest.connect();
        int window = 256 * 1024;
        for (int sent = 0; sent <= window; sent += 65544) {
            g.frame(0, MuxFrames.DATA, innerMessage(MessageType.DATA_STDIN, 65536));
        }
        assertClosedWith(g.host, "credit");
    }

    @Test
    void unknownKindNonzeroFlagsAndBadLengthsCloseTheLink() throws Exception {
        RawGuest a = RawGuest.connect();
        a.raw(header(0, 9, 0, 0));
        assertClosedWith(a.host, "unknown frame kind");

        RawGuest b = RawGuest.connect();
        byte[] h = header(0, MuxFrames.END, 0, 0);
        h[5] = 1;
        b.raw(h);
        assertClosedWith(b.host, "nonzero flags");

        RawGuest c = RawGuest.connect();
        c.raw(header(0, MuxFrames.DATA, -1, 0));
        assertClosedWith(c.host, "DATA frame of 4294967295 bytes");

        RawGuest d = RawGuest.connect();
        byte[] inner = innerMessage(MessageType.DATA_STDIN, 10);
        LittleEndian.putInt(inner, 4, 11); // inner length disagrees with the frame
        d.frame(0, MuxFrames.DATA, inner);
        assertClosedWith(d.host, "claiming");
    }

    @Test
    void framesForStreamsTheHostNeverOpenedCloseTheLink() throws Exception {
        RawGuest g = RawGuest.connect();
        g.frame(77, MuxFrames.DATA, innerMessage(MessageType.DATA_STDOUT, 1));
        assertClosedWith(g.host, "stream 77 which is not open");
    }

    @Test
    void creditOverflowAndDoubleEndCloseTheLink() throws Exception {
        RawGuest g = RawGuest.connect();
        byte[] credit = new byte[4];
        LittleEndian.putInt(credit, 0, 0);
        g.frame(0, MuxFrames.CREDIT, credit);
        assertClosedWith(g.host, "CREDIT of 0");

        RawGuest e = RawGuest.connect();
        e.frame(0, MuxFrames.END, new byte[0]);
        e.frame(0, MuxFrames.END, new byte[0]);
        assertClosedWith(e.host, "second END");
    }

    @Test
    void missingPreambleFailsTheOpen() throws Exception {
        ChannelPair p = ChannelPair.open();
        CompletableFuture.runAsync(() -> {
            try {
                p.guest.output().write(new byte[2000]);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        IOException e = assertThrows(IOException.class,
                () -> MuxLink.open(p.host, MuxLink.Role.HOST, new MuxConfig(256 * 1024, 8, 1000), "host"));
        assertTrue(e.getMessage().contains("no mux preamble"), e.getMessage());
    }

    static byte[] innerMessage(int type, int len) {
        return new Message(type, new byte[len]).encode();
    }

    static byte[] header(int stream, int kind, int length, int flags) {
        byte[] h = new byte[MuxFrames.HEADER_SIZE];
        LittleEndian.putInt(h, 0, stream);
        h[4] = (byte) kind;
        h[5] = (byte) flags;
        LittleEndian.putInt(h, 8, length);
        return h;
    }

    static void assertClosedWith(MuxLink link, String reason) throws Exception {
        link.closedFuture().get(5, TimeUnit.SECONDS);
        assertNotNull(link.failure(), "closed by a protocol violation");
        assertTrue(link.failure().getMessage().contains(reason), link.failure().getMessage());
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in 5 s");
            }
            Thread.sleep(5);
        }
    }

    /** A guest that writes raw frames after a valid preamble. */
    static final class RawGuest {
        final MuxLink host;
        final OutputStream out;

        private RawGuest(MuxLink host, OutputStream out) {
            this.host = host;
            this.out = out;
        }

        static RawGuest connect() throws Exception {
            ChannelPair p = ChannelPair.open();
            CompletableFuture<Void> preamble = CompletableFuture.runAsync(() -> {
                try {
                    p.guest.input().readNBytes(MuxFrames.PREAMBLE_SIZE);
                    byte[] pre = new byte[MuxFrames.PREAMBLE_SIZE];
                    System.arraycopy(MuxFrames.MAGIC, 0, pre, 0, 8);
                    LittleEndian.putInt(pre, 8, 1);
                    LittleEndian.putInt(pre, 12, 256 * 1024);
                    p.guest.output().write(pre);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            MuxLink host = MuxLink.open(p.host, MuxLink.Role.HOST, MuxConfig.DEFAULT, "hostile");
            preamble.join();
            host.start();
            return new RawGuest(host, p.guest.output());
        }

        void frame(int stream, int kind, byte[] payload) throws IOException {
            raw(header(stream, kind, payload.length, 0));
            raw(payload);
        }

        void raw(byte[] b) {
            try {
                out.write(b);
            } catch (IOException e) {
                // the host may already have closed: that is what the tests wait for
            }
        }
    }

    @Test
    void rawGuestSanity() throws Exception {
        RawGuest g = RawGuest.connect();
        g.frame(0, MuxFrames.DATA, Message.hello(4).encode());
        assertEquals(Message.hello(4), g.host.control().read());
        assertArrayEquals(new byte[] {4, 0, 0, 0}, Message.hello(4).payload());
    }
}
