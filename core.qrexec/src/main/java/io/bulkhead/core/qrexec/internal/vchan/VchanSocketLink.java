package io.bulkhead.core.qrexec.internal.vchan;

import io.bulkhead.core.qrexec.internal.link.AgentLink;
import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.transport.VchanSocketEndpoint;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * dom0's link to an unmodified Qubes qrexec-agent over libvchan-socket, in the role of Qubes'
 * qrexec-daemon: dom0 connects as vchan client to the agent's control vchan
 * ({@code vchan.<N>.0.512.sock}), and every call gets its own vchan on a data port 513..768
 * allocated as the daemon does. dom0 is the far end of every data vchan (it relays calls between
 * qubes), so it announces {@code connect_domain = 0}:
 * <ul>
 * <li>commands and services the agent runs ({@code MSG_EXEC_CMDLINE}/{@code MSG_JUST_EXEC}):
 * dom0 is the vchan server and listens on {@code vchan.0.<N>.<port>.sock} before it sends the
 * message; the agent's child connects;</li>
 * <li>calls of the agent's clients ({@code MSG_SERVICE_CONNECT}): {@code qrexec-client-vm} is the
 * server on {@code vchan.<N>.0.<port>.sock}; dom0 connects once the file appears.</li>
 * </ul>
 * A port is free again when the agent sends {@code MSG_CONNECTION_TERMINATED} for it (or at once
 * if the agent was never told about it). The socket files of a qube live in its own directory,
 * which the qube can write to: dom0 never follows a symbolic link there.
 */
public final class VchanSocketLink implements AgentLink {
    private static final System.Logger LOG = System.getLogger(VchanSocketLink.class.getName());

    private final String qube;
    private final VchanSocketEndpoint endpoint;
    private final SocketChannel control;
    private final long connectTimeoutMillis;
    private final ScheduledExecutorService timer;
    private final Executor executor;
    private final VchanPortTable ports;
    /** The connection of each allocated port (index = port - 513); guarded by {@link #ports}. */
    private final VchanDataConnection[] owners = new VchanDataConnection[VchanPortTable.SIZE];
    private final Object writeLock = new Object();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private volatile long writeStartedNanos;

    private VchanSocketLink(String qube, VchanSocketEndpoint endpoint, SocketChannel control, long connectTimeoutMillis,
            ScheduledExecutorService timer, Executor executor) {
        this.qube = qube;
        this.endpoint = endpoint;
        this.control = control;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.timer = timer;
        this.executor = executor;
        this.ports = new VchanPortTable(endpoint.domainId());
    }

    /**
     * Connects to the agent's control vchan. One attempt: if the agent does not listen yet, this
     * fails and the caller retries (libvchan's client would retry by itself).
     *
     * @param connectTimeoutMillis how long a data vchan may take to be connected
     * @param timer                runs time limits (closes what took too long)
     * @param executor             runs background clean-up
     */
    public static VchanSocketLink connect(String qube, VchanSocketEndpoint endpoint, long connectTimeoutMillis,
            ScheduledExecutorService timer, Executor executor) throws IOException {
        Path dir = endpoint.directory();
        VchanSocketNames.checkDirectory(dir, qube);
        VchanSocketNames.checkLength(dir, endpoint.domainId());
        Path path = VchanSocketNames.path(dir, endpoint.domainId(), 0, VchanSocketNames.CONTROL_PORT);
        if (!VchanSocketNames.isSocket(path)) {
            throw new IOException(qube + ": agent not listening yet (no " + path + ")");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        // connect() blocks while the listener's backlog is full (an agent that accepts no more,
        // as Qubes' agent after its first daemon): bound it
        AtomicBoolean expired = new AtomicBoolean();
        Future<?> guard = timer.schedule(() -> {
            expired.set(true);
            closeQuietly(ch);
        }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            if (!guard.cancel(false) && expired.get()) {
                throw new IOException("closed by the time limit");
            }
        } catch (IOException e) {
            closeQuietly(ch);
            throw new IOException(qube + ": cannot connect to the agent's control vchan " + path + ": "
                    + (expired.get() ? "not accepted within " + connectTimeoutMillis + " ms" : e.getMessage()), e);
        } finally {
            guard.cancel(false);
        }
        return new VchanSocketLink(qube, endpoint, ch, connectTimeoutMillis, timer, executor);
    }

    @Override
    public String name() {
        return qube;
    }

    VchanSocketEndpoint endpoint() {
        return endpoint;
    }

    long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    // ---- control vchan --------------------------------------------------------------------------

    @Override
    public Message readControl() throws IOException {
        try {
            return SocketMessages.read(control);
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw closedOr(e);
        }
    }

    @Override
    public Message readControl(long timeoutMillis) throws IOException {
        AtomicBoolean expired = new AtomicBoolean();
        Future<?> guard = schedule(() -> {
            expired.set(true);
            closeQuietly(control);
        }, timeoutMillis);
        try {
            Message m = readControl();
            if (!guard.cancel(false) && expired.get()) {
                throw new InterruptedIOException(qube + ": no message from the agent within " + timeoutMillis + " ms");
            }
            return m;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            if (expired.get()) {
                throw new InterruptedIOException(qube + ": no message from the agent within " + timeoutMillis + " ms");
            }
            throw e;
        } finally {
            guard.cancel(false);
        }
    }

    @Override
    public void writeControl(Message m) throws IOException {
        synchronized (writeLock) {
            writeStartedNanos = System.nanoTime() | 1;
            try {
                SocketMessages.write(control, m.type(), m.payload(), 0, m.length());
            } catch (IOException e) {
                throw closedOr(e);
            } finally {
                writeStartedNanos = 0;
            }
        }
    }

    private IOException closedOr(IOException e) {
        return shuttingDown.get() ? new IOException(qube + ": qrexec link closed", e)
                : new IOException(qube + ": control vchan: " + e.getMessage(), e);
    }

    /** The received {@code peer_info}, as qrexec-daemon's {@code handle_agent_hello} sends it back. */
    @Override
    public Message helloAnswer(Message agentHello) {
        return agentHello;
    }

    /** dom0 is the far end of every data vchan: it serves or relays each call itself. */
    @Override
    public int announcedDomain(int farEndDomainId) {
        return 0;
    }

    // ---- data vchans ----------------------------------------------------------------------------

    @Override
    public DataConnection openExecConnection() throws IOException {
        synchronized (ports) {
            int port = allocate();
            Path path = VchanSocketNames.path(endpoint.directory(), 0, endpoint.domainId(), port);
            ServerSocketChannel listener;
            try {
                listener = listen(path);
            } catch (IOException e) {
                ports.release(port, 0);
                throw new IOException(qube + ": cannot listen on " + path + ": " + e.getMessage(), e);
            }
            VchanDataConnection c = new VchanDataConnection(this, port, path, listener, deadline());
            owners[port - VchanPortTable.FIRST_DATA_PORT] = c;
            return c;
        }
    }

    @Override
    public DataConnection openCallerConnection() throws IOException {
        synchronized (ports) {
            int port = allocate();
            Path path = VchanSocketNames.path(endpoint.directory(), endpoint.domainId(), 0, port);
            VchanDataConnection c = new VchanDataConnection(this, port, path, null, deadline());
            owners[port - VchanPortTable.FIRST_DATA_PORT] = c;
            return c;
        }
    }

    private int allocate() throws IOException {
        if (shuttingDown.get()) {
            throw new IOException(qube + ": qrexec link closed");
        }
        int port = ports.allocate(0);
        if (port == 0) {
            throw new IOException(qube + ": all " + VchanPortTable.SIZE + " vchan data ports are in use");
        }
        return port;
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis);
    }

    /** As libvchan-socket's server: remove what has the name, bind, listen with a backlog of one. */
    private static ServerSocketChannel listen(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            l.bind(UnixDomainSocketAddress.of(path), 1);
            l.configureBlocking(false);
            return l;
        } catch (IOException e) {
            closeQuietly(l);
            throw e;
        }
    }

    @Override
    public void connectionTerminated(ExecParams params) throws ProtocolException {
        int port = params.connectPort();
        if (!VchanPortTable.isDataPort(port)) {
            throw new ProtocolException("MSG_CONNECTION_TERMINATED for port " + Integer.toUnsignedString(port)
                    + " outside " + VchanPortTable.FIRST_DATA_PORT + ".." + (VchanPortTable.FIRST_DATA_PORT + VchanPortTable.SIZE - 1));
        }
        synchronized (ports) {
            if (!ports.release(port, params.connectDomain())) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: MSG_CONNECTION_TERMINATED for port {1} (domain {2}) not held: ignored",
                        qube, port, Integer.toUnsignedString(params.connectDomain()));
                return;
            }
            int i = port - VchanPortTable.FIRST_DATA_PORT;
            VchanDataConnection owner = owners[i];
            owners[i] = null;
            if (owner != null) {
                owner.portReleased();
                dropListener(owner);
            }
        }
    }

    /** The agent accepted or dom0 gave up: called by a connection when its listener is done. */
    void listenerDone(VchanDataConnection c, ServerSocketChannel l) {
        synchronized (ports) {
            if (c.listener() == l) {
                dropListener(c);
            }
        }
    }

    /** Closes the connection's listener and removes its socket file; caller holds {@link #ports}. */
    private static void dropListener(VchanDataConnection c) {
        ServerSocketChannel l = c.listener();
        if (l != null) {
            c.clearListener();
            closeQuietly(l);
            deleteQuietly(c.path());
        }
    }

    /**
     * A connection was closed by dom0. If the agent never heard of its port, the port is free at
     * once. If it did and was to connect but has not, its child would retry connecting forever
     * (libvchan-socket's client loops while the socket is missing or refuses): the listener stays,
     * accepts that connection and closes it, so the child ends and the agent reports the port.
     */
    void connectionClosed(VchanDataConnection c) {
        ServerSocketChannel lingering;
        synchronized (ports) {
            int i = c.port() - VchanPortTable.FIRST_DATA_PORT;
            if (!c.isAnnounced()) {
                if (owners[i] == c) {
                    owners[i] = null;
                    ports.release(c.port(), 0);
                }
                dropListener(c);
                return;
            }
            lingering = c.listener();
        }
        if (lingering != null) {
            try {
                executor.execute(() -> reap(c, lingering));
            } catch (RejectedExecutionException e) {
                listenerDone(c, lingering);
            }
        }
    }

    private void reap(VchanDataConnection c, ServerSocketChannel l) {
        try {
            l.configureBlocking(true);
            closeQuietly(l.accept());
        } catch (IOException e) {
            // released or link closed meanwhile
        }
        listenerDone(c, l);
    }

    /** Runs {@code task} after {@code millis}; the returned future cancels it. */
    Future<?> schedule(Runnable task, long millis) {
        try {
            return timer.schedule(task, Math.max(1, millis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // shutting down: no time limit any more
        }
    }

    /** @return how many data ports are allocated (tests, diagnostics) */
    int portsInUse() {
        return ports.inUse();
    }

    // ---- life cycle -----------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return !shuttingDown.get();
    }

    @Override
    public CompletableFuture<Void> closedFuture() {
        return closed;
    }

    @Override
    public long writeStallNanos() {
        long started = writeStartedNanos;
        return started == 0 ? 0 : System.nanoTime() - started;
    }

    @Override
    public void fail(String reason) {
        if (!shuttingDown.get()) {
            LOG.log(System.Logger.Level.WARNING, "qrexec link closed: {0}: {1}", qube, reason);
        }
        close();
    }

    /** Closes the control vchan and every data vchan of this agent. */
    @Override
    public void close() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(control);
        List<VchanDataConnection> all = new ArrayList<>();
        synchronized (ports) {
            for (VchanDataConnection c : owners) {
                if (c != null) {
                    all.add(c);
                }
            }
        }
        for (VchanDataConnection c : all) {
            c.linkClosed(); // first, so a connection still being established reports the link as the cause
        }
        synchronized (ports) {
            for (VchanDataConnection c : all) {
                dropListener(c);
            }
        }
        closed.complete(null);
    }

    static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // best effort
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover file is replaced by the next server on that port
        }
    }

    @Override
    public String toString() {
        return "vchan-socket link " + qube + " (" + endpoint.directory() + ", domain " + endpoint.domainId() + ")";
    }
}
