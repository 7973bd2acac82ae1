package io.bulkhead.core.qrexec.mux;

import io.bulkhead.core.qrexec.protocol.LittleEndian;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.transport.QrexecChannel;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a multiplexed qrexec link over a {@link QrexecChannel}. The host (dom0) allocates
 * data stream ids and announces them in control messages; the guest claims them. One reader
 * thread per link dispatches frames into per-stream queues and never writes (so two links can
 * never deadlock on each other's full buffers); writers share a fair lock, one frame at a time.
 *
 * <p>Any violation by the peer (bad preamble, unknown frame kind, nonzero reserved bits,
 * oversized or inconsistent lengths, data beyond the granted credit, frames for streams that do
 * not exist) fails the whole link: the channel is closed and every stream reports the reason.
 */
public final class MuxLink implements AutoCloseable {

    /** Which end of the link this is. */
    public enum Role {
        /** dom0: speaks first, allocates stream ids. */
        HOST,
        /** the agent: waits for the host's preamble, claims announced streams. */
        GUEST
    }

    /** Created on first use: the logging back-end costs the guest agent startup classes otherwise. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(MuxLink.class.getName());
    }

    private final QrexecChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final Role role;
    private final MuxConfig config;
    private final String name;
    private final int peerWindow;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final byte[] smallFrame = new byte[MuxFrames.HEADER_SIZE + Message.HEADER_SIZE + 4096];
    private final Map<Integer, MuxStream> streams = new HashMap<>();
    private final MuxStream control;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private int nextStreamId = 1;
    private volatile long writeStartedNanos;
    private volatile IOException failure;
    private volatile boolean shuttingDown;
    private Thread reader;

    private MuxLink(QrexecChannel channel, InputStream in, Role role, MuxConfig config, String name, int peerWindow)
            throws IOException {
        this.channel = channel;
        this.in = in;
        this.out = channel.output();
        this.role = role;
        this.config = config;
        this.name = name;
        this.peerWindow = peerWindow;
        this.control = new MuxStream(this, MuxFrames.CONTROL_STREAM, config.receiveWindow(), peerWindow);
        streams.put(MuxFrames.CONTROL_STREAM, control);
    }

    /**
     * Exchanges preambles and returns a link whose reader is not running yet (call
     * {@link #start()}). The host writes first; the guest first skips stale bytes up to the
     * host's preamble, then answers. Closes the channel on failure.
     *
     * @param name used in log lines and errors (the qube name on the host)
     */
    public static MuxLink open(QrexecChannel channel, Role role, MuxConfig config, String name) throws IOException {
        try {
            InputStream in = new BufferedInputStream(channel.input(), 128 * 1024);
            OutputStream out = channel.output();
            byte[] preamble = preamble(config.receiveWindow());
            if (role == Role.HOST) {
                out.write(preamble);
                out.flush();
            }
            int peerWindow = readPreamble(in, config.preambleScanLimit(), name);
            if (role == Role.GUEST) {
                out.write(preamble);
                out.flush();
            }
            return new MuxLink(channel, in, role, config, name, peerWindow);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static byte[] preamble(int window) {
        byte[] p = new byte[MuxFrames.PREAMBLE_SIZE];
        System.arraycopy(MuxFrames.MAGIC, 0, p, 0, 8);
        LittleEndian.putInt(p, 8, MuxFrames.VERSION);
        LittleEndian.putInt(p, 12, window);
        return p;
    }

    private static int readPreamble(InputStream in, int scanLimit, String name) throws IOException {
        byte[] magic = MuxFrames.MAGIC;
        byte[] seen = new byte[magic.length];
        long total = 0;
        while (total < magic.length || !Arrays.equals(seen, magic)) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(name + ": channel closed before the mux preamble");
            }
            System.arraycopy(seen, 1, seen, 0, seen.length - 1);
            seen[seen.length - 1] = (byte) b;
            total++;
            if (total - magic.length > scanLimit) {
                throw new ProtocolException(name + ": no mux preamble within " + scanLimit + " bytes");
            }
        }
        long skipped = total - magic.length;
        if (skipped > 0) {
            Log.LOG.log(System.Logger.Level.INFO, "{0}: skipped {1} stale bytes before the mux preamble", name, skipped);
        }
        byte[] rest = in.readNBytes(8);
        if (rest.length < 8) {
            throw new EOFException(name + ": channel closed inside the mux preamble");
        }
        int version = LittleEndian.getInt(rest, 0);
        int window = LittleEndian.getInt(rest, 4);
        if (version != MuxFrames.VERSION) {
            throw new ProtocolException(name + ": unsupported mux version " + Integer.toUnsignedString(version));
        }
        if (window < MuxFrames.MAX_DATA_LENGTH || window > MuxFrames.MAX_WINDOW) {
            throw new ProtocolException(name + ": peer announced receive window " + Integer.toUnsignedString(window)
                    + " outside " + MuxFrames.MAX_DATA_LENGTH + ".." + MuxFrames.MAX_WINDOW);
        }
        return window;
    }

    /** Starts the reader thread (a daemon thread named after the link). */
    public synchronized void start() {
        if (reader != null) {
            throw new IllegalStateException("link already started");
        }
        reader = new Thread(this::readLoop, "qrexec-mux-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** @return the control connection (stream 0) */
    public MuxStream control() {
        return control;
    }

    /**
     * Host only: allocates a free data stream id.
     *
     * @throws IOException if the link is closed or {@link MuxConfig#maxStreams()} streams are open
     */
    public MuxStream openStream() throws IOException {
        if (role != Role.HOST) {
            throw new IllegalStateException("only the host allocates streams");
        }
        synchronized (streams) {
            checkOpen();
            if (streams.size() - 1 >= config.maxStreams()) {
                throw new IOException(name + ": " + config.maxStreams() + " concurrent streams already open");
            }
            while (streams.containsKey(nextStreamId)) {
                nextStreamId = nextStreamId % MuxFrames.MAX_STREAM_ID + 1;
            }
            MuxStream s = new MuxStream(this, nextStreamId, config.receiveWindow(), peerWindow);
            streams.put(nextStreamId, s);
            nextStreamId = nextStreamId % MuxFrames.MAX_STREAM_ID + 1;
            return s;
        }
    }

    /**
     * Guest only: claims a stream the host announced (it may already have sent frames on it).
     *
     * @throws ProtocolException if the id is out of range (the announcement was bad)
     */
    public MuxStream stream(int id) throws IOException {
        if (role != Role.GUEST) {
            throw new IllegalStateException("the host allocates streams with openStream()");
        }
        if (id < 1 || id > MuxFrames.MAX_STREAM_ID) {
            throw new ProtocolException(name + ": stream id " + Integer.toUnsignedString(id) + " out of range");
        }
        synchronized (streams) {
            checkOpen();
            MuxStream s = streams.get(id);
            if (s == null) {
                s = createGuestStream(id);
            }
            return s;
        }
    }

    private MuxStream createGuestStream(int id) throws ProtocolException {
        if (streams.size() - 1 >= config.maxStreams()) {
            throw new ProtocolException(name + ": host opened more than " + config.maxStreams() + " streams");
        }
        MuxStream s = new MuxStream(this, id, config.receiveWindow(), peerWindow);
        streams.put(id, s);
        return s;
    }

    /** @return the number of data streams currently allocated (not yet released both ways) */
    public int openStreams() {
        synchronized (streams) {
            return streams.size() - 1;
        }
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    public boolean isOpen() {
        return !closed.isDone();
    }

    /** @return completes when the link is closed, normally or by failure */
    public CompletableFuture<Void> closedFuture() {
        return closed;
    }

    /** @return why the link failed, or {@code null} if it is open or was closed normally */
    public IOException failure() {
        return failure;
    }

    /** @return how long the write in progress has been blocked, 0 if none is */
    public long writeStallNanos() {
        long started = writeStartedNanos;
        return started == 0 ? 0 : System.nanoTime() - started;
    }

    /** Closes the link; every stream reports the link as closed. */
    @Override
    public void close() {
        shutdown(null);
    }

    /**
     * Closes the link because the peer misbehaved; logs {@code reason} once as a warning.
     */
    public void fail(String reason) {
        shutdown(new ProtocolException(name + ": " + reason));
    }

    private void shutdown(IOException cause) {
        List<MuxStream> all;
        synchronized (streams) {
            if (shuttingDown) {
                return;
            }
            shuttingDown = true;
            failure = cause;
            all = new ArrayList<>(streams.values());
        }
        if (cause != null) {
            Log.LOG.log(System.Logger.Level.WARNING, "qrexec link closed: {0}", cause.getMessage());
        }
        closeQuietly(channel);
        IOException reported = cause != null ? cause : new IOException(name + ": qrexec link closed");
        for (MuxStream s : all) {
            s.linkClosed(reported);
        }
        closed.complete(null);
    }

    private void checkOpen() throws IOException {
        if (shuttingDown || closed.isDone()) {
            throw failure != null ? new IOException(failure.getMessage(), failure) : new IOException(name + ": qrexec link closed");
        }
    }

    // ---- writing --------------------------------------------------------------------------------

    void writeData(int stream, int type, byte[] b, int off, int len) throws IOException {
        writeFrame(stream, MuxFrames.DATA, Message.HEADER_SIZE + len, type, b, off, len);
    }

    void writeControlFrame(int stream, int kind, int value) throws IOException {
        writeFrame(stream, kind, kind == MuxFrames.CREDIT ? 4 : 0, value, null, 0, 0);
    }

    /**
     * Writes one frame. For DATA, {@code word} is the inner message type; for CREDIT the increment.
     */
    private void writeFrame(int stream, int kind, int length, int word, byte[] b, int off, int len) throws IOException {
        writeLocked(out -> {
            byte[] f = smallFrame;
            int n = encodeHeader(f, 0, stream, kind, length, word, len);
            if (len <= f.length - n) {
                if (len > 0) {
                    System.arraycopy(b, off, f, n, len);
                }
                out.write(f, 0, n + len);
            } else {
                out.write(f, 0, n);
                out.write(b, off, len);
            }
        });
    }

    /**
     * Writes frames encoded by {@link FrameBatch} in one write to the channel (under TCG every
     * write to a virtio port costs a VM exit and an interrupt).
     */
    void writeBatch(FrameBatch batch) throws IOException {
        writeLocked(out -> out.write(batch.bytes, 0, batch.length));
    }

    /** What one locked write puts on the channel (the frame buffer may be used inside). */
    private interface ChannelWrite {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Runs {@code write} alone on the channel, flushes, and shuts the link down if it fails. */
    private void writeLocked(ChannelWrite write) throws IOException {
        writeLock.lock();
        try {
            checkOpen();
            writeStartedNanos = System.nanoTime() | 1;
            write.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw writeFailed(e);
        } finally {
            writeStartedNanos = 0;
            writeLock.unlock();
        }
    }

    private IOException writeFailed(IOException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        shutdown(new IOException(name + ": write failed: " + why, e));
        return new IOException(name + ": write failed: " + why, e);
    }

    /**
     * Encodes a frame header (and for DATA the inner message header, for CREDIT the increment)
     * at {@code pos}; returns the position after it, where {@code len} payload bytes follow.
     */
    private static int encodeHeader(byte[] f, int pos, int stream, int kind, int length, int word, int len) {
        LittleEndian.putInt(f, pos, stream);
        f[pos + 4] = (byte) kind;
        f[pos + 5] = 0;
        LittleEndian.putShort(f, pos + 6, 0);
        LittleEndian.putInt(f, pos + 8, length);
        int n = pos + MuxFrames.HEADER_SIZE;
        if (kind == MuxFrames.DATA) {
            Message.writeHeader(f, n, word, len);
            n += Message.HEADER_SIZE;
        } else if (kind == MuxFrames.CREDIT) {
            LittleEndian.putInt(f, n, word);
            n += 4;
        }
        return n;
    }

    /** A few frames encoded back to back, for {@link #writeBatch}. */
    static final class FrameBatch {
        private byte[] bytes;
        private int length;

        FrameBatch(int capacity) {
            bytes = new byte[capacity];
        }

        FrameBatch data(int stream, int type, byte[] b, int off, int len) {
            ensure(MuxFrames.HEADER_SIZE + Message.HEADER_SIZE + len);
            length = encodeHeader(bytes, length, stream, MuxFrames.DATA, Message.HEADER_SIZE + len, type, len);
            System.arraycopy(b, off, bytes, length, len);
            length += len;
            return this;
        }

        /** END, ABORT or RELEASE. */
        FrameBatch control(int stream, int kind) {
            ensure(MuxFrames.HEADER_SIZE);
            length = encodeHeader(bytes, length, stream, kind, 0, 0, 0);
            return this;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + more));
            }
        }
    }

    // ---- reading --------------------------------------------------------------------------------

    private void readLoop() {
        byte[] header = new byte[MuxFrames.HEADER_SIZE + Message.HEADER_SIZE];
        try {
            while (true) {
                if (!readFully(header, MuxFrames.HEADER_SIZE, true)) {
                    shutdown(null);
                    return;
                }
                dispatch(header);
            }
        } catch (ProtocolException e) {
            fail(e.getMessage());
        } catch (IOException e) {
            if (isOpen()) {
                // a hard read error or a stream cut inside a frame: the peer or the medium is gone
                shutdown(new IOException(name + ": " + e.getMessage(), e));
            }
        } catch (RuntimeException | Error e) {
            shutdown(new IOException(name + ": mux reader crashed: " + e, e));
        }
    }

    private void dispatch(byte[] h) throws IOException {
        int id = LittleEndian.getInt(h, 0);
        int kind = h[4] & 0xff;
        int flags = h[5] & 0xff;
        int reserved = LittleEndian.getShort(h, 6);
        int length = LittleEndian.getInt(h, 8);
        if (flags != 0 || reserved != 0) {
            throw new ProtocolException("frame with nonzero flags/reserved bits (stream " + Integer.toUnsignedString(id) + ")");
        }
        if (id < 0 || id > MuxFrames.MAX_STREAM_ID) {
            throw new ProtocolException("frame for stream id " + Integer.toUnsignedString(id) + " out of range");
        }
        switch (kind) {
            case MuxFrames.DATA: readData(id, length, h); break;
            case MuxFrames.CREDIT: readCredit(id, length); break;
            case MuxFrames.END:
            case MuxFrames.ABORT:
            case MuxFrames.RELEASE:
                if (length != 0) {
                    throw new ProtocolException(MuxFrames.kindName(kind) + " frame with length " + Integer.toUnsignedString(length));
                }
                if (id == MuxFrames.CONTROL_STREAM && kind == MuxFrames.RELEASE) {
                    throw new ProtocolException("RELEASE of the control stream");
                }
                MuxStream s = lookup(id, kind != MuxFrames.RELEASE);
                if (kind == MuxFrames.END) {
                    s.peerEnd();
                } else if (kind == MuxFrames.ABORT) {
                    s.peerAbort();
                } else if (s.peerRelease()) {
                    remove(s);
                }
                break;
            default:
                throw new ProtocolException("unknown frame kind " + kind + " (stream " + id + ")");
        }
    }

    private void readData(int id, int length, byte[] h) throws IOException {
        if (length < Message.HEADER_SIZE || length > MuxFrames.MAX_DATA_LENGTH) {
            throw new ProtocolException("DATA frame of " + Integer.toUnsignedString(length) + " bytes on stream " + id
                    + " (allowed " + Message.HEADER_SIZE + ".." + MuxFrames.MAX_DATA_LENGTH + ")");
        }
        MuxStream s = lookup(id, true);
        s.checkCanReceive(length);
        readFully(h, MuxFrames.HEADER_SIZE + Message.HEADER_SIZE, false);
        int type = LittleEndian.getInt(h, MuxFrames.HEADER_SIZE);
        int innerLength = LittleEndian.getInt(h, MuxFrames.HEADER_SIZE + 4);
        if (innerLength != length - Message.HEADER_SIZE) {
            throw new ProtocolException("DATA frame of " + length + " bytes holds a message claiming "
                    + Integer.toUnsignedString(innerLength) + " payload bytes (stream " + id + ")");
        }
        byte[] payload = new byte[innerLength];
        if (in.readNBytes(payload, 0, innerLength) < innerLength) {
            throw new EOFException("channel closed inside a DATA frame");
        }
        s.deliver(new Message(type, payload));
    }

    private void readCredit(int id, int length) throws IOException {
        if (length != 4) {
            throw new ProtocolException("CREDIT frame with length " + Integer.toUnsignedString(length));
        }
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new EOFException("channel closed inside a CREDIT frame");
        }
        int increment = LittleEndian.getInt(b, 0);
        if (increment <= 0 || increment > MuxFrames.MAX_WINDOW) {
            throw new ProtocolException("CREDIT of " + Integer.toUnsignedString(increment) + " on stream " + id);
        }
        lookup(id, false).peerCredit(increment);
    }

    /**
     * @param guestMayCreate on the guest, the host may start a stream with DATA/END/ABORT before
     *                       the announcing control message is processed
     */
    private MuxStream lookup(int id, boolean guestMayCreate) throws ProtocolException {
        synchronized (streams) {
            MuxStream s = streams.get(id);
            if (s == null) {
                if (role == Role.GUEST && guestMayCreate && id != MuxFrames.CONTROL_STREAM) {
                    return createGuestStream(id);
                }
                throw new ProtocolException("frame for stream " + id + " which is not open");
            }
            return s;
        }
    }

    void remove(MuxStream s) {
        synchronized (streams) {
            if (streams.get(s.id()) == s) {
                streams.remove(s.id());
            }
        }
    }

    private boolean readFully(byte[] b, int len, boolean eofAllowedAtStart) throws IOException {
        int start = eofAllowedAtStart ? 0 : MuxFrames.HEADER_SIZE;
        int n = in.readNBytes(b, start, len - start);
        if (n == 0 && eofAllowedAtStart) {
            return false;
        }
        if (n < len - start) {
            throw new EOFException("channel closed inside a frame header");
        }
        return true;
    }

    private static void closeQuietly(QrexecChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing after a failure; nothing more to report
        }
    }

    @Override
    public String toString() {
        return "MuxLink[" + name + ", " + role + "]";
    }
}
