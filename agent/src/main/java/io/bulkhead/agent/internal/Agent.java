package io.bulkhead.agent.internal;

import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.transport.DeviceChannel;
import io.bulkhead.core.qrexec.transport.QrexecChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The guest agent: connects to dom0 (virtio-serial port or unix socket), serves one
 * {@link GuestSession} per connection and waits for dom0 again when it goes away (a dom0
 * restart, a host that has not connected yet).
 */
final class Agent implements AutoCloseable {
    private static final long DEVICE_POLL_MILLIS = 20;
    private static final long RECONNECT_MILLIS = 200;

    private final AgentConfig config;
    private final Log log;
    private final ExecutorService pool;
    private final ProcessLauncher launcher;
    private final WarmShells warmShells;
    private final ExecHandler exec;
    private final ClientListener clients;
    private volatile GuestSession current;
    private volatile boolean closed;

    Agent(AgentConfig config, Log log) {
        this.config = config;
        this.log = log;
        this.pool = Executors.newCachedThreadPool(new DaemonThreads());
        this.launcher = new ProcessLauncher(config.userSwitch(), new Passwd(Path.of("/etc/passwd")), log);
        this.warmShells = config.warmUsers().isEmpty() ? null : new WarmShells(launcher, config.warmUsers(), pool, log);
        this.exec = new ExecHandler(new ServiceLocator(config.rpcDirs()), launcher, warmShells, pool, log);
        this.clients = config.clientSocket() == null ? null
                : new ClientListener(config.clientSocket(), pool, log, new Supplier<GuestSession>() {
                    @Override
                    public GuestSession get() {
                        return current;
                    }
                });
    }

    /**
     * The pool's threads. Classes, not lambdas, on the way to the hello: the first lambda
     * bootstraps the method-handle machinery, a few hundred ms under TCG.
     */
    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "qrexec-agent-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    /**
     * Serves dom0 until closed (or, with {@code once}, until the first connection ends).
     *
     * <p>The hello comes first: the client socket and the pre-warmed process spawning are set up
     * after it, as under TCG they would delay it by about 0.3 s each
     * (the unix socket's first use initialises the JDK's SecureRandom and security providers).
     */
    void run() throws IOException, InterruptedException {
        while (!closed) {
            QrexecChannel channel;
            try {
                channel = open();
            } catch (IOException e) {
                if (config.once()) {
                    throw e;
                }
                log.debug("dom0 not reachable: " + e.getMessage());
                Thread.sleep(RECONNECT_MILLIS);
                continue;
            }
            try {
                MuxLink link = MuxLink.open(channel, MuxLink.Role.GUEST, MuxConfig.DEFAULT, "dom0");
                link.start();
                GuestSession session = new GuestSession(link, exec, clients, pool, log, afterFirstHello);
                current = session;
                session.run();
            } catch (IOException e) {
                log.warn("session with dom0 failed: " + e.getMessage());
            } finally {
                current = null;
                if (clients != null) {
                    clients.refuseAll();
                }
                try {
                    channel.close();
                } catch (IOException e) {
                    // already gone
                }
            }
            if (config.once()) {
                return;
            }
            Thread.sleep(RECONNECT_MILLIS);
        }
    }

    /** Runs once, in the pool, after the first hello exchanged with dom0: see {@link #run}. */
    private final Runnable afterFirstHello = new Runnable() {
        private final AtomicBoolean started = new AtomicBoolean();

        @Override
        public void run() {
            if (!started.compareAndSet(false, true)) {
                return;
            }
            try {
                pool.execute(new Runnable() {
                    @Override
                    public void run() {
                        setUpAfterHello();
                    }
                });
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    };

    private void setUpAfterHello() {
        // the socket first: a command dom0 sends right after the hello may call qrexec-client-vm
        if (clients != null && !closed) {
            try {
                clients.start();
            } catch (IOException e) {
                log.error("no qrexec-client-vm socket: " + e.getMessage());
            }
        }
        if (config.prewarm()) {
            // the first ProcessBuilder.start() costs 0.1-0.9 s under TCG: pay it before a call needs it
            launcher.prewarm();
        }
    }


    private QrexecChannel open() throws IOException, InterruptedException {
        if (config.connect() != null) {
            return UnixSocketChannel.connect(config.connect());
        }
        Path device = config.device();
        if (device == null) {
            for (Path candidate : AgentConfig.DEFAULT_DEVICES) {
                if (Files.exists(candidate)) {
                    device = candidate;
                    break;
                }
            }
            if (device == null) {
                throw new IOException("no qrexec device among " + AgentConfig.DEFAULT_DEVICES);
            }
        }
        DeviceChannel ch = DeviceChannel.open(device);
        // read() gives end of file until the host side is connected
        ch.awaitHost(DEVICE_POLL_MILLIS);
        return ch;
    }

    @Override
    public void close() {
        closed = true;
        GuestSession s = current;
        if (s != null) {
            s.close();
        }
        if (warmShells != null) {
            warmShells.close();
        }
        if (clients != null) {
            try {
                clients.close();
            } catch (IOException e) {
                // shutting down
            }
        }
        pool.shutdownNow();
    }
}
