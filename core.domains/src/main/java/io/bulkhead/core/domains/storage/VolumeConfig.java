package io.bulkhead.core.domains.storage;

import java.util.Objects;
import java.util.Optional;

/**
 * Persistent configuration of one volume of a qube (qubes.xml {@code <volume>}).
 *
 * @param name            volume name in the qube ({@code root}, {@code private}, ...)
 * @param pool            pool name
 * @param vid             volume id, unique in the pool (e.g. {@code appvms/work/private})
 * @param size            size in bytes
 * @param rw              writable by the qube
 * @param snapOnStart     start from a snapshot of {@code source}
 * @param saveOnStop      commit changes at stop
 * @param source          vid of the source volume in the same pool (required iff {@code snapOnStart})
 * @param revisionsToKeep revisions kept for origin volumes; -1 disables snapshots (direct writes);
 *                        empty = the pool's default
 * @param ephemeral       encrypt volatile data with a throw-away key (not supported by the file driver)
 */
public record VolumeConfig(String name, String pool, String vid, long size, boolean rw, boolean snapOnStart,
                           boolean saveOnStop, Optional<String> source, Optional<Integer> revisionsToKeep,
                           boolean ephemeral) {

    public VolumeConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(vid, "vid");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(revisionsToKeep, "revisionsToKeep");
        if (size < 0) {
            throw new IllegalArgumentException("volume " + name + ": size must be >= 0, got " + size);
        }
        if (snapOnStart && source.isEmpty()) {
            throw new IllegalArgumentException("volume " + name + ": snap_on_start needs a source volume");
        }
        if (revisionsToKeep.isPresent() && revisionsToKeep.get() < -1) {
            throw new IllegalArgumentException("volume " + name + ": revisions_to_keep must be >= -1, got " + revisionsToKeep.get());
        }
    }

    /** @return whether this is a volatile volume (neither snapshot nor origin) */
    public boolean isVolatile() {
        return !snapOnStart && !saveOnStop;
    }

    public VolumeConfig withSize(long newSize) {
        return new VolumeConfig(name, pool, vid, newSize, rw, snapOnStart, saveOnStop, source, revisionsToKeep, ephemeral);
    }

    public VolumeConfig withSource(Optional<String> newSource) {
        return new VolumeConfig(name, pool, vid, size, rw, snapOnStart, saveOnStop, newSource, revisionsToKeep, ephemeral);
    }

    public VolumeConfig withRevisionsToKeep(Optional<Integer> revisions) {
        return new VolumeConfig(name, pool, vid, size, rw, snapOnStart, saveOnStop, source, revisions, ephemeral);
    }
}
