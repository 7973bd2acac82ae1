package io.bulkhead.hal.local.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The files of one local qube under {@code <runDir>/<qube>/} (mode 0700). Only
 * {@link #consoleLog()} outlives the agent process; everything else is removed when it stops.
 *
 * @param directory {@code <runDir>/<qube>}
 */
record RunFiles(Path directory) {

    /** Linux {@code sun_path} holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    /** Where the backend listens and the agent connects ({@code --connect}). */
    Path qrexecSocket() {
        return directory.resolve("qrexec.sock");
    }

    /** Where the agent listens for {@code qrexec-client-vm} ({@code --client-socket}). */
    Path clientSocket() {
        return directory.resolve("client.sock");
    }

    /** The agent's stdout and stderr, appended across boots. */
    Path consoleLog() {
        return directory.resolve("console.log");
    }

    /** Service directory of this qube when none is configured. */
    Path ownRpcDir() {
        return directory.resolve("qubes-rpc");
    }

    /** Holds the {@code qrexec-client-vm} wrapper put first on the agent's PATH. */
    Path binDirectory() {
        return directory.resolve("bin");
    }

    Path clientWrapper() {
        return binDirectory().resolve("qrexec-client-vm");
    }

    /** Creates the directory (and missing parents) and restricts it to its owner. */
    void create() throws IOException {
        Files.createDirectories(directory);
        if (Files.isSymbolicLink(directory)) {
            throw new IOException(directory + " is a symbolic link; refusing to use it as a run directory");
        }
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    }

    /** @throws IllegalArgumentException naming a socket whose path does not fit a unix socket address */
    void checkSocketPaths() {
        for (Path socket : List.of(qrexecSocket(), clientSocket())) {
            int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
            if (length > MAX_SOCKET_PATH_BYTES) {
                throw new IllegalArgumentException("unix socket path " + socket + " is " + length
                        + " bytes, over the limit of " + MAX_SOCKET_PATH_BYTES + " (configure a shorter runDir)");
            }
        }
    }

    /** Removes everything the agent and the backend put here while it ran, except the console log. */
    void removeRuntimeFiles() {
        deleteQuietly(qrexecSocket());
        deleteQuietly(clientSocket());
        deleteTree(binDirectory());
        deleteTree(ownRpcDir());
    }

    /** Removes the console log and the directory itself if nothing else is in it. */
    void removeAll() {
        removeRuntimeFiles();
        deleteQuietly(consoleLog());
        try {
            Files.deleteIfExists(directory);
        } catch (DirectoryNotEmptyException e) {
            // files someone else put there stay
        } catch (IOException e) {
            // best effort
        }
    }

    /** Deletes a directory tree without following symbolic links out of it. */
    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: a file that cannot be removed stays
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // best effort
        }
    }
}
