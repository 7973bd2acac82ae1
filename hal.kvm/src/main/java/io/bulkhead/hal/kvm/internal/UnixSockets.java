package io.bulkhead.hal.kvm.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Unix-domain socket helpers (streams over them: core.domains' SocketChannelStreams). */
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
}
