package io.bulkhead.core.domains.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.bulkhead.core.domains.StoragePoolException;

/**
 * An opened storage pool. Volume operations receive the volume's {@link VolumeConfig}; a
 * snapshot volume's {@code source} is a vid in the same pool. Failures throw
 * {@link io.bulkhead.core.domains.StoragePoolException} naming pool, vid and cause.
 */
public interface Pool {

    /** @return pool name */
    String name();

    /** @return driver name */
    String driver();

    /** @return pool parameters as stored (qubes.xml {@code <pool>} attributes) */
    Map<String, String> config();

    /** @return the pool's default revisions_to_keep */
    int defaultRevisionsToKeep();

    /** Creates the volume on disk (empty sparse image for origin volumes; nothing for snapshot/volatile ones). */
    void create(VolumeConfig volume);

    /** Removes every file of the volume, including revisions. Unknown volumes are a no-op. */
    void remove(VolumeConfig volume);

    /**
     * Prepares the volume for a starting domain (overlay for snapshot/origin volumes, fresh file
     * for volatile ones).
     *
     * @return the image to attach; empty when there is nothing to attach (e.g. a kernel without
     *         modules image)
     */
    Optional<ActiveVolume> start(VolumeConfig volume);

    /** Ends the volume's run: commits origin volumes (keeping a revision), discards the rest. */
    void stop(VolumeConfig volume);

    /** @return whether the volume is started (between {@link #start} and {@link #stop}) */
    boolean isRunning(VolumeConfig volume);

    /** Checks that the volume's files exist (and its source's); throws if not. */
    void verify(VolumeConfig volume);

    /** @return revisions of an origin volume, oldest first */
    List<Revision> revisions(VolumeConfig volume);

    /** Replaces the committed state by a revision; the volume must not be running. */
    void revert(VolumeConfig volume, String revisionId);

    /** Grows the committed image to {@code newSize} bytes; shrinking is refused. */
    void resize(VolumeConfig volume, long newSize);

    /** @return bytes allocated by the volume */
    long usage(VolumeConfig volume);

    /** @return whether a running snapshot volume is based on an older state than its source's current one */
    boolean isOutdated(VolumeConfig volume);

    /** @return path of the committed image, if any */
    Optional<String> path(VolumeConfig volume);

    /**
     * Replaces the content of a persistent volume of a halted qube with the bytes of {@code source}
     * (Qubes' volume import). The previous content becomes a revision when revisions are kept.
     *
     * @return the volume size afterwards: the larger of the configured size and the source's size
     * @throws StoragePoolException when the pool cannot import, or the volume is not persistent or in use
     */
    default long importData(VolumeConfig volume, Path source) {
        throw new StoragePoolException("pool " + name() + " (driver " + driver() + ") cannot import volume data");
    }
}
