package io.bulkhead.core.domains.internal.storage;

import io.bulkhead.core.domains.StoragePoolException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs {@code qemu-img} (and {@code cp} for sparse/reflink copies) with clear errors. */
public final class QemuImg {

    private static final long TIMEOUT_SECONDS = 600;

    private final String command;

    /** @param command {@code qemu-img} to look up on PATH, or an absolute path */
    public QemuImg(String command) {
        this.command = command;
    }

    /** @return resolved executable, if present */
    public Optional<Path> locate() {
        if (command.contains("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private Path require(String why) {
        return locate().orElseThrow(() -> new StoragePoolException("qemu-img not found (looked for '" + command
                + "' on PATH), needed to " + why + ": install it with `apt-get install qemu-utils`"));
    }

    /** Creates a qcow2 overlay on top of {@code backing} (format {@code backingFormat}). */
    public void createOverlay(Path overlay, Path backing, String backingFormat) {
        Path exe = require("create a copy-on-write overlay " + overlay);
        run(List.of(exe.toString(), "create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", backing.toString(),
                overlay.toString()), "create overlay " + overlay);
    }

    /** Points an overlay at another backing file with identical content (metadata only). */
    public void rebaseUnsafe(Path overlay, Path newBacking, String backingFormat) {
        Path exe = require("rebase overlay " + overlay);
        run(List.of(exe.toString(), "rebase", "-q", "-u", "-F", backingFormat, "-b", newBacking.toString(),
                overlay.toString()), "rebase " + overlay);
    }

    /** Writes the overlay's changes into its backing file. */
    public void commit(Path overlay) {
        Path exe = require("commit overlay " + overlay);
        run(List.of(exe.toString(), "commit", "-q", overlay.toString()), "commit " + overlay);
    }

    /** Copies a file keeping holes (and sharing extents where the file system can). */
    public static void sparseCopy(Path from, Path to) {
        run(List.of("cp", "--sparse=always", "--reflink=auto", from.toString(), to.toString()), "copy " + from + " to " + to);
    }

    private static void run(List<String> cmd, String what) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new StoragePoolException("cannot " + what + ": " + cmd.get(0) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new StoragePoolException("cannot " + what + ": " + String.join(" ", cmd) + " exited with "
                        + p.exitValue() + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (IOException e) {
            throw new StoragePoolException("cannot " + what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoragePoolException("cannot " + what + ": interrupted");
        }
    }
}
