package io.bulkhead.qvm.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Admin API over the qubesd unix socket, one connection per call as qubesd wants: connect, send the request,
 * half-close, read the answer until qubesd closes.
 */
public final class QubesdClient implements AdminTransport {
    /** Environment variable naming the socket explicitly. */
    public static final String SOCKET_ENV = "BULKHEAD_ADMIN_SOCKET";
    /** Environment variable naming the data directory (the socket is {@code <data>/run/qubesd.sock}). */
    public static final String DATA_ENV = "BULKHEAD_DATA";

    private final Path socket;

    /** @param socket path of the qubesd socket */
    public QubesdClient(Path socket) {
        this.socket = socket;
    }

    /**
     * @return {@code $BULKHEAD_ADMIN_SOCKET}, else {@code ${BULKHEAD_DATA:-~/.bulkhead}/run/qubesd.sock}
     */
    public static Path defaultSocket(Map<String, String> environment, String userHome) {
        String explicit = environment.get(SOCKET_ENV);
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        String data = environment.get(DATA_ENV);
        Path dataDir = data != null && !data.isEmpty() ? Path.of(data) : Path.of(userHome, ".bulkhead");
        return dataDir.resolve("run").resolve("qubesd.sock");
    }

    /** @return a client of the socket named by this process's environment */
    public static QubesdClient fromEnvironment() {
        return new QubesdClient(defaultSocket(System.getenv(), System.getProperty("user.home")));
    }

    /** @return the socket path */
    public Path socket() {
        return socket;
    }

    @Override
    public byte[] call(String destination, String method, String argument, byte[] payload) {
        byte[] request = QubesdProtocol.request(destination, method, argument, payload);
        try (SocketChannel channel = connect()) {
            send(channel, request);
            return QubesdProtocol.parse(Channels.newInputStream(channel).readAllBytes());
        } catch (IOException e) {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR,
                    "Failed to talk to qubesd on " + socket + ": " + e.getMessage());
        }
    }

    @Override
    public InputStream open(String destination, String method, String argument, byte[] payload) {
        SocketChannel channel = connectAndSend(QubesdProtocol.request(destination, method, argument, payload), true);
        return Channels.newInputStream(channel);
    }

    @Override
    public InputStream openWithInput(String destination, String method, String argument, byte[] payload, InputStream input) {
        SocketChannel channel = connectAndSend(QubesdProtocol.request(destination, method, argument, payload), false);
        // written with SocketChannel.write: the answer's reader holds the channel's blocking lock
        Thread feeder = new Thread(() -> feed(input, channel), "qvm-run-input");
        feeder.setDaemon(true);
        feeder.start();
        return Channels.newInputStream(channel);
    }

    /** Connects and writes the request, half-closing after it unless more input follows. */
    private SocketChannel connectAndSend(byte[] request, boolean halfClose) {
        SocketChannel channel = connect();
        try {
            writeFully(channel, request);
            if (halfClose) {
                channel.shutdownOutput();
            }
            return channel;
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR,
                    "Failed to talk to qubesd on " + socket + ": " + e.getMessage());
        }
    }

    /** Sends the command's input, then half-closes: end of input for the command. */
    private static void feed(InputStream input, SocketChannel channel) {
        byte[] buffer = new byte[65536];
        try {
            int read;
            while ((read = input.read(buffer)) >= 0) {
                writeFully(channel, java.util.Arrays.copyOf(buffer, read));
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            // the call ended (or the command stopped reading): nothing more to send
        }
    }

    private static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Subscribes to {@code admin.Events}.
     *
     * @param destination {@code dom0} for every event, a qube name for that qube's events
     */
    public EventStream events(String destination) {
        return new EventStream(open(destination, "admin.Events", "", new byte[0]));
    }

    private SocketChannel connect() {
        if (!Files.exists(socket)) {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "dom0 is not running: there is no Admin API socket "
                    + socket + "; start dom0 with ./bulkhead dom0 (or set " + SOCKET_ENV + " to its socket)");
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            String hint = reason.contains("refused") ? "dom0 is not running (nobody listens on " + socket
                    + ", a socket left behind); start dom0 with ./bulkhead dom0" : "Failed to connect to qubesd service on " + socket + ": " + reason;
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, hint);
        }
    }

    private static void send(SocketChannel channel, byte[] request) throws IOException {
        writeFully(channel, request);
        channel.shutdownOutput();
    }
}
