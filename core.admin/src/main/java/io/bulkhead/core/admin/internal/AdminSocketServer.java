package io.bulkhead.core.admin.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The qubesd socket: accepts connections and serves each on its own thread, up to a limit. */
public final class AdminSocketServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(AdminSocketServer.class.getName());

    private final Path socketPath;
    private final AdminConnection connection;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    /**
     * Binds the socket (owner-only permissions) and starts accepting.
     *
     * @throws IOException when the socket cannot be bound, e.g. another dom0 is listening on it
     */
    public AdminSocketServer(Path socketPath, AdminDispatcher dispatcher, EventHub events, CommandStream commands, int maxConnections) throws IOException {
        this.socketPath = socketPath;
        this.connection = new AdminConnection(dispatcher, events, commands, "dom0");
        this.slots = new Semaphore(maxConnections);
        AtomicInteger counter = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "qubesd-conn-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        Files.createDirectories(socketPath.getParent());
        removeStaleSocket(socketPath);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        this.acceptor = new Thread(this::acceptLoop, "qubesd-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the socket path */
    public Path socketPath() {
        return socketPath;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                if (!slots.tryAcquire()) {
                    LOG.warning("admin socket: too many concurrent connections, one refused");
                    client.close();
                    continue;
                }
                try {
                    workers.execute(() -> {
                        try (client) {
                            connection.serve(client);
                        } catch (IOException e) {
                            LOG.log(Level.FINE, "admin connection closed early", e);
                        } finally {
                            slots.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    // accepted while closing: nobody will serve it
                    slots.release();
                    client.close();
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.log(Level.WARNING, "admin socket accept failed", e);
                }
            }
        }
    }

    /** A socket file left by a dom0 that died is removed; a live one is an error. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new IOException("another dom0 is already serving the Admin API on " + path);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("another dom0")) {
                throw e;
            }
            Files.deleteIfExists(path);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socketPath);
    }
}
