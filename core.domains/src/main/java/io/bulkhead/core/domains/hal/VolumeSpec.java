package io.bulkhead.core.domains.hal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One disk of a domain, already prepared by the storage layer (overlay created, volatile volume
 * fresh). The backend only attaches the file; it never creates or deletes it.
 *
 * <p>Disks are attached in list order; by Qubes convention {@code root} is first ({@code xvda}),
 * then {@code private} ({@code xvdb}), {@code volatile} ({@code xvdc}) and {@code kernel}
 * ({@code xvdd}, modules) when present.
 *
 * @param name     volume name in the qube ({@code root}, {@code private}, {@code volatile},
 *                 {@code kernel} or a custom one)
 * @param path     absolute path of the image file or block device to attach
 * @param format   format of {@code path}
 * @param readOnly attach read-only
 * @param backing  backing file of a qcow2 overlay, for information only (QEMU reads it from the
 *                 qcow2 header; Xen/Hyper-V backends may need it to build a differencing disk)
 */
public record VolumeSpec(String name, Path path, DiskFormat format, boolean readOnly, Optional<Path> backing) {

    public VolumeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(backing, "backing");
    }

    /** A volume without backing file. */
    public static VolumeSpec of(String name, Path path, DiskFormat format, boolean readOnly) {
        return new VolumeSpec(name, path, format, readOnly, Optional.empty());
    }
}
