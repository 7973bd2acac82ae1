package io.bulkhead.core.domains.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * A kept revision of an origin volume.
 *
 * @param id      revision id ({@code [A-Za-z0-9:_.-]}), increasing with age order
 * @param created when the revision was committed
 */
public record Revision(String id, Instant created) {

    public Revision {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(created, "created");
    }
}
