package io.bulkhead.agent.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code /etc/passwd} entries (busybox guests have no NSS beyond the files). The parsed
 * file is kept while its size and modification time stay the same: every command looks its user
 * up, and in a TCG guest re-parsing the file costs more than the stat. As git does with its
 * index, a file modified less than a second before it was parsed is parsed again on every
 * lookup: a change within the same timestamp tick would not show in the modification time.
 */
final class Passwd {

    /** One account: name, ids, home, login shell. */
    record Entry(String name, int uid, int gid, String home, String shell) {
    }

    /** Timestamps of a change this close to the parse may not differ from the parsed one. */
    private static final long RACY_MILLIS = 1000;

    /** The parsed file, the stat it was parsed for, and whether that stat identifies the content. */
    private record Snapshot(long modified, long length, boolean trusted, Map<String, Optional<Entry>> entries) {
    }

    private final File file;
    private volatile Snapshot snapshot;

    Passwd(java.nio.file.Path file) {
        this.file = file.toFile();
    }

    Optional<Entry> lookup(String user) {
        long modified = file.lastModified();
        long length = file.length();
        Snapshot s = snapshot;
        if (s == null || !s.trusted || s.modified != modified || s.length != length) {
            long parsedAt = System.currentTimeMillis();
            s = new Snapshot(modified, length, modified != 0 && modified < parsedAt - RACY_MILLIS, parse());
            snapshot = s;
        }
        return s.entries.getOrDefault(user, Optional.empty());
    }

    /** Name to entry; empty for a malformed line (the first line of a name wins, as getpwnam). */
    private Map<String, Optional<Entry>> parse() {
        Map<String, Optional<Entry>> entries = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file.toPath(), StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 7) {
                    entries.putIfAbsent(f[0], entry(f));
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return entries;
    }

    private static Optional<Entry> entry(String[] f) {
        try {
            return Optional.of(new Entry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5], f[6]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
