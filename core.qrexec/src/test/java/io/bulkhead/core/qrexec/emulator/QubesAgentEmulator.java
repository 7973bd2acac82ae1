package io.bulkhead.core.qrexec.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test stand-in for an unmodified Qubes qrexec-agent built against libvchan-socket, after the
 * behaviour of {@code agent/qrexec-agent.c}, {@code agent/qrexec-agent-data.c} and
 * {@code agent/qrexec-client-vm.c} (qubes-core-qrexec 4.4) and of libvchan-socket. It uses no
 * Bulkhead class.
 * <ul>
 * <li>It serves the control vchan: listens on {@code DIR/vchan.<own>.0.512.sock}, accepts one
 * connection, says {@code MSG_HELLO} first and reads dom0's.</li>
 * <li>{@code MSG_EXEC_CMDLINE}/{@code MSG_JUST_EXEC {domain, port, "user:cmd"}}: a child connects
 * as vchan client to {@code vchan.<domain>.<own>.<port>.sock}, exchanges hellos (sending first),
 * runs the command with {@code /bin/sh -c} (or the service executable from its rpc directory for
 * {@code QUBESRPC svc+arg source}), relays stdin/stdout/stderr and sends the exit code; once done
 * the agent sends {@code MSG_CONNECTION_TERMINATED {domain, port}}.</li>
 * <li>{@link #call} plays {@code qrexec-client-vm}: {@code MSG_TRIGGER_SERVICE4} with ident
 * {@code SOCKET<n>}; on {@code MSG_SERVICE_CONNECT {domain, port}} it is the vchan server on
 * {@code vchan.<own>.<domain>.<port>.sock}; on {@code MSG_SERVICE_REFUSED} it exits 126.</li>
 * </ul>
 * Every byte dom0 sends is recorded per socket for byte-level checks.
 */
public final class QubesAgentEmulator implements AutoCloseable {
    private static final long TIMEOUT_MILLIS = 10_000;
    private static final int MAX_CHUNK = 65536;

    /** One data vchan as the emulator saw it. */
    public static final class DataVchan {
        public final int domain;
        public final int port;
        public final Path path;
        /** Whether the emulator (as {@code qrexec-client-vm}) was the vchan server. */
        public final boolean agentServes;
        private final ByteArrayOutputStream fromDom0 = new ByteArrayOutputStream();

        DataVchan(int domain, int port, Path path, boolean agentServes) {
            this.domain = domain;
            this.port = port;
            this.path = path;
            this.agentServes = agentServes;
        }

        public byte[] fromDom0() {
            synchronized (fromDom0) {
                return fromDom0.toByteArray();
            }
        }
    }

    /** What {@code qrexec-client-vm} would report. */
    public record CallResult(int exitCode, String stdout, String stderr, DataVchan vchan) {
    }

    private record Answer(boolean refused, int domain, int port) {
    }

    private final Path dir;
    private final int domain;
    private final int version;
    private final Path rpcDir;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "qubes-agent-emulator");
        t.setDaemon(true);
        return t;
    });
    private final ByteArrayOutputStream controlFromDom0 = new ByteArrayOutputStream();
    private final List<DataVchan> vchans = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
    private final List<int[]> heldTerminations = new CopyOnWriteArrayList<>();
    private final List<String> execCommands = new CopyOnWriteArrayList<>();
    private final CompletableFuture<byte[]> daemonHello = new CompletableFuture<>();
    private final CompletableFuture<Void> controlClosed = new CompletableFuture<>();
    private final AtomicInteger nextFd = new AtomicInteger(6);
    private final Object controlWrite = new Object();
    private ServerSocketChannel controlServer;
    private volatile SocketChannel control;
    private volatile boolean autoTerminate = true;

    /**
     * @param dir     the vchan socket directory ({@code VCHAN_SOCKET_DIR})
     * @param domain  own domain id ({@code VCHAN_DOMAIN})
     * @param version protocol version in its hellos
     * @param rpcDir  where services are looked up ({@code /etc/qubes-rpc})
     */
    public QubesAgentEmulator(Path dir, int domain, int version, Path rpcDir) {
        this.dir = dir;
        this.domain = domain;
        this.version = version;
        this.rpcDir = rpcDir;
    }

    /** Listens on the control vchan, as {@code libvchan_server_init(0, 512, ...)} does. */
    public QubesAgentEmulator start() throws IOException {
        Path sock = dir.resolve("vchan." + domain + ".0.512.sock");
        Files.deleteIfExists(sock);
        controlServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        controlServer.bind(UnixDomainSocketAddress.of(sock), 1);
        pool.execute(this::serveControl);
        return this;
    }

    private void serveControl() {
        try {
            SocketChannel ch = controlServer.accept();
            control = ch;
            sendControl(Wire.hello(version));
            byte[] hello = Wire.readExactly(ch, 12, controlFromDom0);
            daemonHello.complete(hello);
            Object[] m;
            while ((m = Wire.readMessage(ch, controlFromDom0)) != null) {
                dispatch((Integer) m[0], (byte[]) m[1]);
            }
        } catch (IOException e) {
            // dom0 went away
        } finally {
            daemonHello.complete(null);
            controlClosed.complete(null);
        }
    }

    private void dispatch(int type, byte[] p) throws IOException {
        switch (type) {
            case Wire.MSG_EXEC_CMDLINE, Wire.MSG_JUST_EXEC -> {
                int connectDomain = Wire.le32(p, 0);
                int port = Wire.le32(p, 4);
                String cmdline = Wire.cString(p, 8, p.length);
                execCommands.add(connectDomain + " " + port + " " + cmdline);
                pool.execute(() -> runChild(type, connectDomain, port, cmdline));
            }
            case Wire.MSG_SERVICE_CONNECT -> {
                String ident = Wire.cString(p, 8, p.length);
                CompletableFuture<Answer> f = pending.remove(ident);
                if (f != null) {
                    f.complete(new Answer(false, Wire.le32(p, 0), Wire.le32(p, 4)));
                }
            }
            case Wire.MSG_SERVICE_REFUSED -> {
                CompletableFuture<Answer> f = pending.remove(Wire.cString(p, 0, p.length));
                if (f != null) {
                    f.complete(new Answer(true, 0, 0));
                }
            }
            default -> throw new IOException("msg type from daemon is " + type); // the real agent exits
        }
    }

    private void sendControl(byte[] bytes) throws IOException {
        synchronized (controlWrite) {
            Wire.writeAll(control, bytes, null);
        }
    }

    // ---- a command or service run for dom0 (the agent's child) ----------------------------------

    private void runChild(int type, int connectDomain, int port, String cmdline) {
        Path path = dir.resolve("vchan." + connectDomain + "." + domain + "." + port + ".sock");
        DataVchan v = new DataVchan(connectDomain, port, path, false);
        vchans.add(v);
        try (SocketChannel data = Wire.connectRetrying(path, TIMEOUT_MILLIS)) {
            Object writeLock = new Object();
            Wire.writeAll(data, Wire.hello(version), null);
            Object[] hello = Wire.readMessage(data, v.fromDom0);
            if (hello == null || (Integer) hello[0] != Wire.MSG_HELLO) {
                return;
            }
            String command = cmdline.substring(cmdline.indexOf(':') + 1);
            ProcessBuilder pb = processFor(command);
            if (pb == null) {
                // service not found: stdout and stderr EOF, then 127 (handle_new_process_common)
                Wire.writeAll(data, Wire.message(Wire.MSG_DATA_STDOUT, new byte[0]), null);
                Wire.writeAll(data, Wire.message(Wire.MSG_DATA_STDERR, new byte[0]), null);
                Wire.writeAll(data, Wire.message(Wire.MSG_DATA_EXIT_CODE, Wire.le32(127)), null);
                return;
            }
            if (type == Wire.MSG_JUST_EXEC) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
                int status = 0;
                try {
                    pb.start();
                } catch (IOException e) {
                    status = 125;
                }
                Wire.writeAll(data, Wire.message(Wire.MSG_DATA_EXIT_CODE, Wire.le32(status)), null);
                return;
            }
            Process proc = pb.start();
            pool.execute(() -> pumpStdin(data, proc.getOutputStream(), v));
            CompletableFuture<Void> out = CompletableFuture.runAsync(() -> pumpOut(proc.getInputStream(), data,
                    Wire.MSG_DATA_STDOUT, writeLock), pool);
            CompletableFuture<Void> err = CompletableFuture.runAsync(() -> pumpOut(proc.getErrorStream(), data,
                    Wire.MSG_DATA_STDERR, writeLock), pool);
            out.join();
            err.join();
            int status = proc.waitFor();
            synchronized (writeLock) {
                Wire.writeAll(data, Wire.message(Wire.MSG_DATA_EXIT_CODE, Wire.le32(status)), null);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the connection broke: the child just ends
        } finally {
            terminated(connectDomain, port);
        }
    }

    private ProcessBuilder processFor(String command) {
        if (command.startsWith("nogui:")) {
            command = command.substring("nogui:".length());
        }
        if (!command.startsWith("QUBESRPC ")) {
            return new ProcessBuilder("/bin/sh", "-c", command);
        }
        String[] parts = command.split(" ");
        String full = parts[1];
        String source = parts[2];
        int plus = full.indexOf('+');
        String service = plus < 0 ? full : full.substring(0, plus);
        String argument = plus < 0 ? "" : full.substring(plus + 1);
        Path exe = rpcDir.resolve(service + "+" + argument);
        if (!Files.isExecutable(exe)) {
            exe = rpcDir.resolve(service);
        }
        if (!Files.isExecutable(exe)) {
            return null;
        }
        List<String> argv = new ArrayList<>(List.of(exe.toString()));
        if (!argument.isEmpty()) {
            argv.add(argument);
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("QREXEC_REMOTE_DOMAIN", source);
        pb.environment().put("QREXEC_SERVICE_FULL_NAME", service + "+" + argument);
        pb.environment().put("QREXEC_SERVICE_ARGUMENT", argument);
        return pb;
    }

    private static void pumpStdin(SocketChannel data, OutputStream stdin, DataVchan v) {
        try {
            Object[] m;
            while ((m = Wire.readMessage(data, v.fromDom0)) != null) {
                byte[] p = (byte[]) m[1];
                if ((Integer) m[0] != Wire.MSG_DATA_STDIN) {
                    break;
                }
                if (p.length == 0) {
                    stdin.close();
                } else {
                    stdin.write(p);
                    stdin.flush();
                }
            }
        } catch (IOException e) {
            // the process stopped reading, or the vchan was closed after the exit code
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    private static void pumpOut(InputStream in, SocketChannel data, int type, Object writeLock) {
        byte[] buf = new byte[MAX_CHUNK];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                byte[] chunk = java.util.Arrays.copyOf(buf, n);
                synchronized (writeLock) {
                    Wire.writeAll(data, Wire.message(type, chunk), null);
                }
            }
            synchronized (writeLock) {
                Wire.writeAll(data, Wire.message(type, new byte[0]), null);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** As {@code release_connection}: tell dom0 the data vchan is finished (or hold it back). */
    private void terminated(int connectDomain, int port) {
        if (!autoTerminate) {
            heldTerminations.add(new int[] {connectDomain, port});
            return;
        }
        sendTerminated(connectDomain, port);
    }

    /** Sends {@code MSG_CONNECTION_TERMINATED {domain, port}} now. */
    public void sendTerminated(int connectDomain, int port) {
        try {
            sendControl(Wire.message(Wire.MSG_CONNECTION_TERMINATED, Wire.execParams(connectDomain, port)));
        } catch (IOException e) {
            // dom0 gone
        }
    }

    /** Whether finished vchans are reported at once ({@code true}, as the agent) or held back. */
    public void setAutoTerminate(boolean auto) {
        autoTerminate = auto;
    }

    /** @return the {domain, port} pairs held back while auto-terminate was off */
    public List<int[]> heldTerminations() {
        return heldTerminations;
    }

    // ---- qrexec-client-vm -----------------------------------------------------------------------

    /** Calls {@code serviceAndArg} in {@code target} as {@code qrexec-client-vm TARGET SERVICE} with this stdin. */
    public CallResult call(String target, String serviceAndArg, byte[] stdin) throws Exception {
        String ident = "SOCKET" + nextFd.incrementAndGet();
        CompletableFuture<Answer> f = new CompletableFuture<>();
        pending.put(ident, f);
        sendControl(Wire.message(Wire.MSG_TRIGGER_SERVICE4, Wire.trigger4(target, ident, serviceAndArg)));
        Answer a = f.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        if (a.refused()) {
            return new CallResult(126, "", "Request refused", null);
        }
        Path path = dir.resolve("vchan." + domain + "." + a.domain() + "." + a.port() + ".sock");
        DataVchan v = new DataVchan(a.domain(), a.port(), path, true);
        vchans.add(v);
        try {
            return serveCall(v, stdin);
        } finally {
            // the agent notices qrexec-client-vm's socket closing and reports the vchan finished
            terminated(a.domain(), a.port());
        }
    }

    private CallResult serveCall(DataVchan v, byte[] stdin) throws Exception {
        Files.deleteIfExists(v.path); // libvchan-socket's server unlinks, binds, listens with backlog 1
        SocketChannel data;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(v.path), 1);
            server.configureBlocking(false);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            while ((data = server.accept()) == null) {
                if (System.nanoTime() > end) {
                    return new CallResult(125, "", "dom0 did not connect", v);
                }
                Thread.sleep(2);
            }
        }
        try (SocketChannel ch = data) {
            Wire.writeAll(ch, Wire.hello(version), null);
            Object[] hello = Wire.readMessage(ch, v.fromDom0);
            if (hello == null || (Integer) hello[0] != Wire.MSG_HELLO) {
                return new CallResult(125, "", "bad hello", v);
            }
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < stdin.length; off += MAX_CHUNK) { // MAX_DATA_CHUNK_V3
                        byte[] chunk = java.util.Arrays.copyOfRange(stdin, off, Math.min(stdin.length, off + MAX_CHUNK));
                        Wire.writeAll(ch, Wire.message(Wire.MSG_DATA_STDIN, chunk), null);
                    }
                    Wire.writeAll(ch, Wire.message(Wire.MSG_DATA_STDIN, new byte[0]), null);
                } catch (IOException e) {
                    // the service finished without reading everything
                }
            }, pool);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Object[] m;
            while ((m = Wire.readMessage(ch, v.fromDom0)) != null) {
                int type = (Integer) m[0];
                byte[] p = (byte[]) m[1];
                if (type == Wire.MSG_DATA_STDOUT) {
                    out.write(p);
                } else if (type == Wire.MSG_DATA_STDERR) {
                    err.write(p);
                } else if (type == Wire.MSG_DATA_EXIT_CODE) {
                    writer.join();
                    return new CallResult(p.length < 4 ? 255 : Wire.le32(p, 0), out.toString(StandardCharsets.UTF_8),
                            err.toString(StandardCharsets.UTF_8), v);
                }
            }
            return new CallResult(125, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), v);
        }
    }

    // ---- observations ---------------------------------------------------------------------------

    /** @return dom0's control hello (12 bytes), {@code null} if dom0 closed first */
    public byte[] daemonHello() throws Exception {
        return daemonHello.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** @return every byte dom0 sent on the control vchan so far */
    public byte[] controlFromDom0() {
        synchronized (controlFromDom0) {
            return controlFromDom0.toByteArray();
        }
    }

    /** @return the data vchans so far, in the order they were opened */
    public List<DataVchan> vchans() {
        return vchans;
    }

    /** @return "connect_domain port cmdline" of every exec request received */
    public List<String> execCommands() {
        return execCommands;
    }

    /** @return completes when dom0 closed the control vchan */
    public CompletableFuture<Void> controlClosed() {
        return controlClosed;
    }

    @Override
    public void close() throws IOException {
        pool.shutdownNow();
        if (control != null) {
            control.close();
        }
        if (controlServer != null) {
            controlServer.close();
        }
    }
}
