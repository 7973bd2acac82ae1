package io.bulkhead.agent.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the file implementing a service, as Qubes does: along the search path, the first
 * {@code svc+arg} ({@code svc+} for an empty argument) wins; otherwise the first {@code svc}.
 */
final class ServiceLocator {

    /** What a service file is. */
    enum Kind { EXECUTABLE, SOCKET, UNSUPPORTED }

    /** A found service file. */
    record ServiceFile(Path path, Kind kind, String detail) {
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final List<Path> dirs;

    ServiceLocator(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    /**
     * @param name     service name (validated by the caller: no {@code /}, not {@code .}/{@code ..})
     * @param argument argument without {@code +}
     */
    Optional<ServiceFile> find(String name, String argument) {
        for (String candidate : List.of(name + "+" + argument, name)) {
            for (Path dir : dirs) {
                Path p = dir.resolve(candidate);
                if (Files.exists(p)) {
                    return Optional.of(classify(p));
                }
                if (Files.isSymbolicLink(p)) {
                    return Optional.of(new ServiceFile(p, Kind.UNSUPPORTED, "dangling symlink (TCP forwarding services are not supported)"));
                }
            }
        }
        return Optional.empty();
    }

    private static ServiceFile classify(Path p) {
        try {
            if (Files.isSymbolicLink(p) && Files.readSymbolicLink(p).toString().startsWith("/dev/tcp")) {
                return new ServiceFile(p, Kind.UNSUPPORTED, "TCP forwarding services are not supported");
            }
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            if ((mode & S_IFMT) == S_IFSOCK) {
                return new ServiceFile(p, Kind.SOCKET, "");
            }
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return new ServiceFile(p, Kind.EXECUTABLE, "");
            }
            return new ServiceFile(p, Kind.UNSUPPORTED, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "a directory" : "not executable");
        } catch (IOException | UnsupportedOperationException e) {
            return new ServiceFile(p, Kind.UNSUPPORTED, "cannot inspect: " + e.getMessage());
        }
    }
}
