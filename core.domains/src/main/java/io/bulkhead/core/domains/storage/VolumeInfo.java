package io.bulkhead.core.domains.storage;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration plus live state of a volume ({@code admin.vm.volume.Info}).
 *
 * @param config     persistent configuration
 * @param path       path of the committed image (or device), if the driver exposes one
 * @param usage      bytes actually allocated
 * @param outdated   a snapshot volume started from an older committed state of its source
 * @param revisions  kept revisions, oldest first
 * @param revisionsToKeep effective revisions_to_keep (pool default applied)
 */
public record VolumeInfo(VolumeConfig config, Optional<String> path, long usage, boolean outdated,
                         List<Revision> revisions, int revisionsToKeep) {

    public VolumeInfo {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(path, "path");
        revisions = List.copyOf(revisions);
    }
}
