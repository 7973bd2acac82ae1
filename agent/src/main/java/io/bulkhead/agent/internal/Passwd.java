package io.bulkhead.agent.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads {@code /etc/passwd} entries (busybox guests have no NSS beyond the files). */
final class Passwd {

    /** One account: name, ids, home, login shell. */
    record Entry(String name, int uid, int gid, String home, String shell) {
    }

    private final Path file;

    Passwd(Path file) {
        this.file = file;
    }

    Optional<Entry> lookup(String user) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 7 && f[0].equals(user)) {
                    try {
                        return Optional.of(new Entry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5], f[6]));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
