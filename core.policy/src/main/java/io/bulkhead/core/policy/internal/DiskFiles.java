package io.bulkhead.core.policy.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Policy files on the real file system. */
final class DiskFiles implements PolicyFiles {
    /** A policy file larger than this is certainly a mistaken include (a log, an image). */
    static final long MAX_FILE_BYTES = 16L << 20;

    @Override
    public Kind kind(String path) {
        Path p;
        try {
            p = Path.of(path);
        } catch (InvalidPathException e) {
            return Kind.MISSING;
        }
        if (Files.isRegularFile(p)) {
            return Kind.FILE;
        }
        if (Files.isDirectory(p)) {
            return Kind.DIRECTORY;
        }
        return Files.exists(p) ? Kind.OTHER : Kind.MISSING;
    }

    @Override
    public List<String> list(String directory) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(directory))) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    @Override
    public byte[] read(String path) throws IOException {
        Path file = Path.of(path);
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("larger than " + (MAX_FILE_BYTES >> 20) + " MiB, not a policy file");
        }
        return Files.readAllBytes(file);
    }

    @Override
    public String join(String base, String relative) {
        try {
            return Path.of(base).resolve(relative).normalize().toString();
        } catch (InvalidPathException e) {
            // a NUL byte or similar: keep the text so the error message can show it
            return base.isEmpty() ? relative : base + "/" + relative;
        }
    }

    @Override
    public String identity(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | InvalidPathException e) {
            return path;
        }
    }
}
