package io.bulkhead.hal.local.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The listening socket a local agent connects to ({@code --connect}). A thread accepts every
 * connection and keeps only the newest one not yet taken: the agent holds at most one connection
 * at a time and reconnects (after about 200 ms) whenever the previous one ended, so an older
 * untaken connection is one the agent has already given up.
 */
final class AgentSocket implements AutoCloseable {

    private static final long LIVENESS_POLL_MILLIS = 50;

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private SocketChannel pending;
    private boolean closed;

    private AgentSocket(Path path, ServerSocketChannel server, String qube) {
        this.path = path;
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "hal-local-accept-" + qube);
        acceptor.setDaemon(true);
    }

    /** Binds {@code path} (replacing a stale socket file) and starts accepting. */
    static AgentSocket listen(Path path, String qube) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        AgentSocket socket = new AgentSocket(path, server, qube);
        socket.acceptor.start();
        return socket;
    }

    Path path() {
        return path;
    }

    /** @return whether a connection of the agent waits to be taken */
    synchronized boolean hasPending() {
        return pending != null;
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            SocketChannel stale;
            synchronized (this) {
                if (closed) {
                    closeQuietly(connection);
                    return;
                }
                stale = pending;
                pending = connection;
                notifyAll();
            }
            closeQuietly(stale);
        }
    }

    /**
     * Takes the agent's newest connection, waiting for one if needed.
     *
     * @param agentAlive checked while waiting: once false, waiting is pointless
     * @throws InterruptedIOException when the calling thread is interrupted (its flag stays set)
     * @throws IOException on timeout, when the agent is gone, or when the socket was closed
     */
    SocketChannel take(Duration timeout, BooleanSupplier agentAlive) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (pending == null) {
                if (closed) {
                    throw new IOException("the qrexec socket " + path + " was closed (the qube stopped)");
                }
                if (!agentAlive.getAsBoolean()) {
                    throw new IOException("the agent exited without connecting to " + path);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("the agent did not connect to " + path + " within " + timeout.toSeconds()
                            + " s (see its console.log)");
                }
                try {
                    wait(Math.max(1, Math.min(LIVENESS_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the agent to connect to " + path);
                }
            }
            SocketChannel connection = pending;
            pending = null;
            return connection;
        }
    }

    /** Stops accepting, drops an untaken connection and removes the socket file. Idempotent. */
    @Override
    public void close() {
        SocketChannel untaken;
        synchronized (this) {
            closed = true;
            untaken = pending;
            pending = null;
            notifyAll();
        }
        closeQuietly(untaken);
        closeQuietly(server);
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RunFiles.deleteQuietly(path);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
