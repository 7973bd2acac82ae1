package io.bulkhead.core.qrexec.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.protocol.LittleEndian;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.transport.QrexecChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MuxStream#finish}: the last message, END (and ABORT when the peer had not ended) and
 * RELEASE leave in one write, exactly as write + end + close would send them; and
 * {@link MuxStream#hasQueuedThrough}.
 */
@Timeout(30)
class MuxStreamFinishTest {

    /** A guest link whose channel counts writes, facing a host that speaks raw frames. */
    static final class RawHost {
        final MuxLink guest;
        final InputStream in;
        final OutputStream out;
        final AtomicInteger guestWrites = new AtomicInteger();

        RawHost() throws Exception {
            ChannelPair p = ChannelPair.open();
            QrexecChannel counted = new QrexecChannel() {
                private final OutputStream output = new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        guestWrites.incrementAndGet();
                        p.guest.output().write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        guestWrites.incrementAndGet();
                        p.guest.output().write(b, off, len);
                    }

                    @Override
                    public void flush() throws IOException {
                        p.guest.output().flush();
                    }
                };

                @Override
                public InputStream input() throws IOException {
                    return p.guest.input();
                }

                @Override
                public OutputStream output() {
                    return output;
                }

                @Override
                public String describe() {
                    return "counted";
                }

                @Override
                public void close() throws IOException {
                    p.guest.close();
                }
            };
            in = p.host.input();
            out = p.host.output();
            byte[] pre = new byte[MuxFrames.PREAMBLE_SIZE];
            System.arraycopy(MuxFrames.MAGIC, 0, pre, 0, 8);
            LittleEndian.putInt(pre, 8, MuxFrames.VERSION);
            LittleEndian.putInt(pre, 12, 256 * 1024);
            out.write(pre);
            guest = MuxLink.open(counted, MuxLink.Role.GUEST, MuxConfig.DEFAULT, "guest");
            assertEquals(MuxFrames.PREAMBLE_SIZE, in.readNBytes(MuxFrames.PREAMBLE_SIZE).length);
            guest.start();
        }

        void frame(int stream, int kind, byte[] payload) throws IOException {
            out.write(MuxLinkTest.header(stream, kind, payload.length, 0));
            out.write(payload);
        }

        /** The next frame the guest sent: kind, then (for DATA) the inner message. */
        Object[] next() throws IOException {
            byte[] h = in.readNBytes(MuxFrames.HEADER_SIZE);
            int length = LittleEndian.getInt(h, 8);
            byte[] body = in.readNBytes(length);
            return new Object[] {LittleEndian.getInt(h, 0), (int) h[4], body};
        }
    }

    @Test
    void finishSendsMessageEndAndReleaseInOneWrite() throws Exception {
        RawHost host = new RawHost();
        MuxStream g = host.guest.stream(7);
        host.frame(7, MuxFrames.DATA, Message.hello(4).encode());
        host.frame(7, MuxFrames.END, new byte[0]);
        assertEquals(Message.hello(4), g.read());
        assertEquals(null, g.read(), "the host ended its side");
        int before = host.guestWrites.get();
        g.finish(Message.exitCode(3));
        assertEquals(before + 1, host.guestWrites.get(), "one write to the channel");
        Object[] data = host.next();
        assertEquals(7, data[0]);
        assertEquals(MuxFrames.DATA, data[1]);
        assertArrayEquals(Message.exitCode(3).encode(), (byte[]) data[2]);
        assertEquals(MuxFrames.END, host.next()[1]);
        assertEquals(MuxFrames.RELEASE, host.next()[1]);
        host.frame(7, MuxFrames.RELEASE, new byte[0]);
        MuxLinkTest.waitFor(() -> host.guest.openStreams() == 0);
        g.end();
        g.close();
        assertEquals(before + 1, host.guestWrites.get(), "end and close after finish send nothing");
        assertTrue(host.guest.isOpen());
    }

    @Test
    void severalLastMessagesGoInTheSameWrite() throws Exception {
        RawHost host = new RawHost();
        MuxStream g = host.guest.stream(9);
        host.frame(9, MuxFrames.END, new byte[0]);
        assertEquals(null, g.read());
        int before = host.guestWrites.get();
        g.finish(Message.eof(MessageType.DATA_STDERR), Message.exitCode(7));
        assertEquals(before + 1, host.guestWrites.get(), "one write to the channel");
        assertArrayEquals(Message.eof(MessageType.DATA_STDERR).encode(), (byte[]) host.next()[2]);
        assertArrayEquals(Message.exitCode(7).encode(), (byte[]) host.next()[2]);
        assertEquals(MuxFrames.END, host.next()[1]);
        assertEquals(MuxFrames.RELEASE, host.next()[1]);
    }

    @Test
    void finishBeforeThePeerEndedAbortsAsCloseWould() throws Exception {
        RawHost host = new RawHost();
        MuxStream g = host.guest.stream(3);
        host.frame(3, MuxFrames.DATA, Message.hello(4).encode());
        assertEquals(Message.hello(4), g.read());
        CompletableFuture<Message> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return g.read();
            } catch (IOException e) {
                return null;
            }
        });
        g.finish(Message.exitCode(0));
        assertEquals(null, reader.get(5, TimeUnit.SECONDS), "a reader waiting for input is released");
        assertEquals(MuxFrames.DATA, host.next()[1]);
        assertEquals(MuxFrames.END, host.next()[1]);
        assertEquals(MuxFrames.ABORT, host.next()[1]);
        assertEquals(MuxFrames.RELEASE, host.next()[1]);
        IOException e = assertThrows(IOException.class, () -> g.write(Message.exitCode(1)));
        assertTrue(e.getMessage().contains("ended locally"), e.getMessage());
    }

    @Test
    void theSameFramesAsWriteEndAndCloseReachAMuxPeer() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        MuxStream h = l[0].openStream();
        h.write(Message.hello(4));
        h.end();
        MuxStream g = l[1].stream(h.id());
        assertEquals(Message.hello(4), g.read());
        assertEquals(null, g.read());
        g.finish(new Message(MessageType.DATA_EXIT_CODE, new byte[] {5, 0, 0, 0}));
        assertEquals(new Message(MessageType.DATA_EXIT_CODE, new byte[] {5, 0, 0, 0}), h.read());
        assertEquals(null, h.read());
        h.close();
        MuxLinkTest.waitFor(() -> l[0].openStreams() == 0 && l[1].openStreams() == 0);
        assertTrue(l[0].isOpen() && l[1].isOpen());
    }

    @Test
    void hasQueuedThroughSeesWhatArrivedUpToTheLimit() throws Exception {
        MuxLink[] l = ChannelPair.links(MuxConfig.DEFAULT);
        MuxStream h = l[0].openStream();
        h.write(new Message(MessageType.DATA_STDIN, new byte[] {1, 2, 3}));
        MuxStream g = l[1].stream(h.id());
        MuxLinkTest.waitFor(() -> g.hasQueuedThrough(m -> m.length() == 3, 0));
        assertFalse(g.hasQueuedThrough(m -> m.length() == 0, 4096), "the EOF has not arrived");
        h.write(Message.eof(MessageType.DATA_STDIN));
        MuxLinkTest.waitFor(() -> g.hasQueuedThrough(m -> m.length() == 0, 3));
        assertFalse(g.hasQueuedThrough(m -> m.length() == 0, 2), "3 bytes come before the EOF");
        assertEquals(3, g.read().length());
        assertTrue(g.hasQueuedThrough(m -> m.length() == 0, 0), "reading consumed them");
        assertEquals(0, g.read().length());
        assertFalse(g.hasQueuedThrough(m -> true, 4096), "nothing queued");
    }
}
