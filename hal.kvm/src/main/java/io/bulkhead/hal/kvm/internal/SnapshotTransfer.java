package io.bulkhead.hal.kvm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Moves a domain's state in and out of QEMU through live migration over a unix socket, with the
 * backend at the other end reading or writing the file. {@code exec:} URIs would be simpler, but
 * {@code -sandbox spawn=deny} forbids QEMU to run {@code cat}, and QEMU 7.2 has no {@code file:}
 * URI.
 */
final class SnapshotTransfer {

    /** Migration is throttled to 128 MiB/s by default; a local file is not a network. */
    private static final long MAX_BANDWIDTH = 10L * 1024 * 1024 * 1024;

    private SnapshotTransfer() {
    }

    /**
     * Streams the state of a running or paused domain into {@code target} (written atomically).
     * QEMU is left in {@code postmigrate} (paused); the caller quits it.
     */
    static long save(QmpClient qmp, RunFiles files, Path target, Optional<String> socketOwner, Duration timeout)
            throws IOException, InterruptedException {
        Path socket = files.snapshotOutSocket();
        Files.deleteIfExists(socket);
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            if (socketOwner.isPresent()) {
                HostEnvironment.chown(socket, socketOwner.get());
            }
            server.configureBlocking(false);
            qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", MAX_BANDWIDTH));
            qmp.execute("migrate", Map.of("uri", "unix:" + socket));
            SocketChannel stream;
            while ((stream = server.accept()) == null) {
                String status = migrationStatus(qmp);
                if (status.equals("failed") || status.equals("cancelled")) {
                    throw new IOException("QEMU could not start the snapshot stream: migration " + status
                            + errorDescription(qmp));
                }
                checkDeadline(deadline, timeout, "QEMU to connect for the snapshot");
                Thread.sleep(2);
            }
            long written;
            try (SocketChannel in = stream;
                    FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                in.configureBlocking(true);
                written = 0;
                long n;
                while ((n = out.transferFrom(in, written, 1L << 30)) > 0) {
                    written += n;
                }
                out.force(true);
            }
            String status;
            while (!(status = migrationStatus(qmp)).equals("completed")) {
                if (status.equals("failed") || status.equals("cancelled")) {
                    throw new IOException("snapshot stream ended but migration " + status + errorDescription(qmp));
                }
                checkDeadline(deadline, timeout, "the snapshot to complete");
                Thread.sleep(2);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return written;
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(partial);
        }
    }

    /**
     * Feeds {@code source} to a QEMU started with {@code -incoming defer -S} and waits until it has
     * loaded it; the domain is then paused.
     *
     * @param alive false once the QEMU process has died (stops waiting early)
     */
    static void load(QmpClient qmp, RunFiles files, Path source, Duration timeout, BooleanSupplier alive)
            throws IOException, InterruptedException {
        Path socket = files.snapshotInSocket();
        long deadline = System.nanoTime() + timeout.toNanos();
        qmp.execute("migrate-incoming", Map.of("uri", "unix:" + socket));
        try (SocketChannel out = UnixSockets.connectWithRetry(socket, timeout, alive);
                FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                position += in.transferTo(position, size - position, out);
            }
            out.shutdownOutput();
            String status;
            while ((status = qmp.execute("query-status").path("status").asText()).equals("inmigrate")) {
                checkDeadline(deadline, timeout, "QEMU to load the snapshot");
                Thread.sleep(2);
            }
            if (!status.equals("paused")) {
                throw new IOException("QEMU did not load the snapshot " + source + ": status " + status
                        + errorDescription(qmp));
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private static String migrationStatus(QmpClient qmp) throws IOException {
        return qmp.execute("query-migrate").path("status").asText("none");
    }

    private static String errorDescription(QmpClient qmp) {
        try {
            JsonNode info = qmp.execute("query-migrate");
            String desc = info.path("error-desc").asText("");
            return desc.isEmpty() ? "" : ": " + desc;
        } catch (IOException e) {
            return "";
        }
    }

    private static void checkDeadline(long deadline, Duration timeout, String what) throws IOException {
        if (System.nanoTime() > deadline) {
            throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }
}
