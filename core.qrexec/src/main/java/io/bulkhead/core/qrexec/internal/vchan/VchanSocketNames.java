package io.bulkhead.core.qrexec.internal.vchan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Socket file names of libvchan-socket: {@code DIR/vchan.<server domain>.<client domain>.<port>.sock}
 * ({@code vchan/init.c} of qubes-core-vchan-socket), and the checks dom0 makes before it trusts
 * such a file in a directory the qube can write to.
 */
final class VchanSocketNames {
    /** {@code VCHAN_BASE_PORT}: the control vchan, served by the agent. */
    static final int CONTROL_PORT = 512;
    /** {@code sizeof(sockaddr_un.sun_path) - 1}: longer paths are cut by libvchan-socket's strncpy. */
    static final int MAX_PATH_BYTES = 107;
    /** {@code S_IFMT} and {@code S_IFSOCK} of {@code st_mode}. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private VchanSocketNames() {
    }

    static Path path(Path directory, int serverDomain, int clientDomain, int port) {
        return directory.resolve("vchan." + serverDomain + "." + clientDomain + "." + port + ".sock");
    }

    /**
     * Checks that every socket name of qube {@code domainId} fits a {@code sockaddr_un} (the
     * longest is the last data port's).
     *
     * @throws IOException naming the directory if it is too long
     */
    static void checkLength(Path directory, int domainId) throws IOException {
        Path longest = path(directory, domainId, 0, VchanPortTable.FIRST_DATA_PORT + VchanPortTable.SIZE - 1);
        int n = longest.toString().getBytes(StandardCharsets.UTF_8).length;
        if (n > MAX_PATH_BYTES) {
            throw new IOException("vchan socket directory " + directory + " is too long: " + longest + " has " + n
                    + " bytes, a unix socket path may have " + MAX_PATH_BYTES);
        }
    }

    /**
     * @return whether {@code path} exists as a unix socket; {@code false} if it does not exist
     * @throws IOException if it exists as anything else (a symbolic link included: dom0 never
     *         follows a link the qube may have planted)
     */
    static boolean isSocket(Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        boolean socket;
        if (a.isSymbolicLink() || a.isRegularFile() || a.isDirectory()) {
            socket = false;
        } else {
            socket = modeSays(path, S_IFSOCK, a.isOther());
        }
        if (!socket) {
            throw new IOException(path + " is not a unix socket (" + kind(a) + "); refusing to use it");
        }
        return true;
    }

    private static boolean modeSays(Path path, int type, boolean fallback) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer && ((Integer) mode & S_IFMT) == type;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return fallback; // no unix attribute view: "other" is the best we know
        }
    }

    private static String kind(BasicFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (a.isDirectory()) {
            return "a directory";
        }
        return a.isRegularFile() ? "a regular file" : "a device or fifo";
    }

    /** Requires {@code directory} to be a directory itself, not a link to one. */
    static void checkDirectory(Path directory, String qube) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("vchan socket directory " + directory + " of qube '" + qube
                    + "' does not exist or is not a directory (links are not followed)");
        }
    }
}
