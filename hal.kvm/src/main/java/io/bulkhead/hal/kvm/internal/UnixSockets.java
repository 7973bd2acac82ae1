package io.bulkhead.hal.kvm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Unix-domain socket helpers.
 *
 * <p>The streams here call {@link SocketChannel#read}/{@link SocketChannel#write} directly:
 * the JDK 17 {@code Channels.newInputStream/newOutputStream} wrappers take the channel's blocking
 * lock, so a thread blocked reading would stall every writer (QMP commands, channel output).
 */
final class UnixSockets {

    /** Linux {@code sun_path} holds 108 bytes including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    private UnixSockets() {
    }

    /** @throws IllegalArgumentException naming the path when it does not fit a socket address */
    static void checkPathLength(Path socket) {
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("unix socket path is " + length + " bytes, over the limit of "
                    + MAX_PATH_BYTES + ": " + socket + " (use a shorter run directory)");
        }
    }

    /** Connects once. */
    static SocketChannel connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Connects, retrying while the socket does not exist yet or refuses (its owner is starting).
     *
     * @param stillWorthTrying checked between attempts; {@code false} ends the wait early (e.g. the
     *                         process that should create the socket died)
     */
    static SocketChannel connectWithRetry(Path socket, Duration timeout, BooleanSupplier stillWorthTrying)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (true) {
            if (Files.exists(socket)) {
                try {
                    return connect(socket);
                } catch (IOException e) {
                    last = e;
                }
            }
            if (!stillWorthTrying.getAsBoolean()) {
                throw new IOException("gave up connecting to " + socket + ": its owner is gone", last);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("could not connect to " + socket + " within " + timeout.toMillis() + " ms", last);
            }
            Thread.sleep(5);
        }
    }

    static InputStream input(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                try {
                    int n = channel.read(ByteBuffer.wrap(buffer, offset, length));
                    return n == 0 ? read(buffer, offset, length) : n;
                } catch (java.nio.channels.ClosedChannelException e) {
                    // closed here (channel closed, domain reaped) while reading: the stream has ended
                    return -1;
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    static OutputStream output(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                ByteBuffer data = ByteBuffer.wrap(buffer, offset, length);
                while (data.hasRemaining()) {
                    channel.write(data);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
