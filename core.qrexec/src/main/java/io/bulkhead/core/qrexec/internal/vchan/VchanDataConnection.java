package io.bulkhead.core.qrexec.internal.vchan;

import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One data vchan over libvchan-socket: a unix stream socket carrying the call's Qubes messages
 * as they are, no framing of its own. It is established on first use: dom0 accepts the agent's
 * connection on its listener (exec), or connects to the socket {@code qrexec-client-vm} serves
 * (service connect), retrying until the file appears, within the link's connect time limit.
 *
 * <p>libvchan-socket has no half close: a peer that reads end of file considers the vchan
 * disconnected and stops sending too. So {@link #end()} only stops our writes (the qrexec
 * messages say where each stream ends), and the peer closing its socket means it reads nothing
 * more ({@link #isAbortedByPeer()}).
 */
final class VchanDataConnection implements DataConnection {
    private static final System.Logger LOG = System.getLogger(VchanDataConnection.class.getName());
    private static final long RETRY_MILLIS = 5;

    private final VchanSocketLink link;
    private final int port;
    private final Path path;
    private final boolean dom0Listens;
    private final long deadlineNanos;
    private final Object establishLock = new Object();
    private final Object writeLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Open while the agent may still connect to dom0; changed under the link's port table lock. */
    private volatile ServerSocketChannel listener;
    private volatile SocketChannel channel;
    private volatile boolean announced;
    private volatile boolean ended;
    private volatile boolean peerGone;
    /** The agent reported the port finished: never connect for it again. */
    private volatile boolean released;
    private volatile boolean linkClosed;

    /**
     * @param listener dom0's listening socket (dom0 is the vchan server), or {@code null} when dom0
     *                 connects to the agent side's server at {@code path}
     */
    VchanDataConnection(VchanSocketLink link, int port, Path path, ServerSocketChannel listener, long deadlineNanos) {
        this.link = link;
        this.port = port;
        this.path = path;
        this.listener = listener;
        this.dom0Listens = listener != null;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public int port() {
        return port;
    }

    Path path() {
        return path;
    }

    ServerSocketChannel listener() {
        return listener;
    }

    void clearListener() {
        listener = null;
    }

    boolean isAnnounced() {
        return announced;
    }

    @Override
    public void markAnnounced() {
        announced = true;
    }

    // ---- establishing ---------------------------------------------------------------------------

    private SocketChannel channel() throws IOException {
        SocketChannel ch = channel;
        if (ch != null) {
            return ch;
        }
        synchronized (establishLock) {
            ch = channel;
            if (ch != null) {
                return ch;
            }
            ensureUsable();
            ch = dom0Listens ? accept() : connect();
            channel = ch;
            if (closed.get() || linkClosed) {
                VchanSocketLink.closeQuietly(ch);
                throw closedLocally();
            }
            return ch;
        }
    }

    private SocketChannel accept() throws IOException {
        ServerSocketChannel l = listener;
        if (l == null) {
            throw new IOException(this + ": no longer listening (the port was released or the link closed)");
        }
        try {
            while (true) {
                SocketChannel ch = l.accept(); // non-blocking: null until the agent connects
                if (ch != null) {
                    link.listenerDone(this, l); // one connection per vchan, as libvchan-socket's server
                    return ch;
                }
                ensureUsable();
                if (System.nanoTime() - deadlineNanos > 0) {
                    throw new InterruptedIOException(this + ": the agent did not connect to " + path + " within "
                            + link.connectTimeoutMillis() + " ms");
                }
                pause();
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            ensureUsable();
            throw new IOException(this + ": no longer listening (the port was released)", e);
        }
    }

    private SocketChannel connect() throws IOException {
        IOException last = null;
        while (true) {
            ensureUsable();
            if (plantedCheck()) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                // a peer whose backlog is full would block connect(): bound it by the deadline
                AtomicBoolean expired = new AtomicBoolean();
                Future<?> guard = link.schedule(() -> {
                    expired.set(true);
                    VchanSocketLink.closeQuietly(ch);
                }, remainingMillis());
                try {
                    ch.connect(UnixDomainSocketAddress.of(path));
                    guard.cancel(false);
                    if (!expired.get()) {
                        return ch;
                    }
                    last = new IOException("connected only at the deadline");
                } catch (IOException e) {
                    guard.cancel(false);
                    VchanSocketLink.closeQuietly(ch);
                    last = e; // not listening yet (a stale file), or refused: retry as libvchan-socket
                }
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new InterruptedIOException(this + ": nobody listened on " + path + " within "
                        + link.connectTimeoutMillis() + " ms" + (last == null ? "" : " (" + last.getMessage() + ")"));
            }
            pause();
        }
    }

    /**
     * @return whether the caller's socket exists; a link or other file planted under its name
     *         fails the call (logged: only the qube itself can have put it there)
     */
    private boolean plantedCheck() throws IOException {
        try {
            return VchanSocketNames.isSocket(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}", this, e.getMessage());
            throw new IOException(this + ": " + e.getMessage(), e);
        }
    }

    private long remainingMillis() {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static void pause() throws InterruptedIOException {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while establishing a data vchan");
        }
    }

    private void ensureUsable() throws IOException {
        if (closed.get() || linkClosed) {
            throw closedLocally();
        }
        if (released) {
            throw new IOException(this + ": the agent already reported this vchan finished");
        }
    }

    private IOException closedLocally() {
        return new IOException(this + (linkClosed ? ": qrexec link closed" : ": closed locally"));
    }

    // ---- messages -------------------------------------------------------------------------------

    @Override
    public Message read() throws IOException {
        return read(0);
    }

    @Override
    public Message read(long timeoutMillis) throws IOException {
        SocketChannel ch = channel();
        AtomicBoolean expired = new AtomicBoolean();
        Future<?> guard = timeoutMillis <= 0 ? null : link.schedule(() -> {
            expired.set(true);
            VchanSocketLink.closeQuietly(ch);
        }, timeoutMillis);
        try {
            Message m = SocketMessages.read(ch);
            if (guard != null && !guard.cancel(false) && expired.get()) {
                // the time limit struck just after the message came: the socket is closed now
                throw new InterruptedIOException(this + ": no message within " + timeoutMillis + " ms");
            }
            if (m == null) {
                peerGone = true;
            }
            return m;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            if (expired.get()) {
                throw new InterruptedIOException(this + ": no message within " + timeoutMillis + " ms");
            }
            if (closed.get() || linkClosed) {
                throw closedLocally();
            }
            peerGone = true;
            throw new IOException(this + ": " + e.getMessage(), e);
        } finally {
            if (guard != null) {
                guard.cancel(false);
            }
        }
    }

    @Override
    public void write(int type, byte[] b, int off, int len) throws IOException {
        if (ended) {
            throw new IOException(this + ": already ended locally");
        }
        SocketChannel ch = channel();
        synchronized (writeLock) {
            if (ended || closed.get()) {
                throw new IOException(this + ": already ended locally");
            }
            try {
                SocketMessages.write(ch, type, b, off, len);
            } catch (IOException e) {
                if (closed.get() || linkClosed) {
                    throw closedLocally();
                }
                peerGone = true; // broken pipe or reset: the peer closed its vchan
                throw new IOException(this + ": " + e.getMessage(), e);
            }
        }
    }

    /** No wire effect: closing the socket would make libvchan-socket drop what the peer still sends. */
    @Override
    public void end() {
        ended = true;
    }

    @Override
    public void abort() {
        close();
    }

    @Override
    public boolean isAbortedByPeer() {
        return peerGone;
    }

    @Override
    public void failLink(String reason) {
        link.fail(reason);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ended = true;
        VchanSocketLink.closeQuietly(channel);
        link.connectionClosed(this);
    }

    // ---- link side ------------------------------------------------------------------------------

    /** The agent sent {@code MSG_CONNECTION_TERMINATED} for this port; called under the port table lock. */
    void portReleased() {
        released = true;
    }

    /** The link closed: whatever is pending fails. */
    void linkClosed() {
        linkClosed = true;
        VchanSocketLink.closeQuietly(channel);
    }

    @Override
    public String toString() {
        return link.name() + " vchan port " + port;
    }
}
