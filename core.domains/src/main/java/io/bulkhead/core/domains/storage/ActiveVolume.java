package io.bulkhead.core.domains.storage;

import io.bulkhead.core.domains.hal.DiskFormat;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a started volume gives the hypervisor: the file to attach.
 *
 * @param path    image to attach
 * @param format  its format
 * @param backing backing file of a qcow2 overlay, if any
 */
public record ActiveVolume(Path path, DiskFormat format, Optional<Path> backing) {

    public ActiveVolume {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(backing, "backing");
    }
}
