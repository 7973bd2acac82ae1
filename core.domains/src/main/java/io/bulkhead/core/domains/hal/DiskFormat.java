package io.bulkhead.core.domains.hal;

/** On-disk format of a {@link VolumeSpec} image. */
public enum DiskFormat {
    /** Raw (possibly sparse) image file or block device. */
    RAW,
    /** QEMU copy-on-write v2 image, possibly with a backing file. */
    QCOW2;

    /** @return the lower-case name used by qemu-img/QEMU ({@code raw}, {@code qcow2}) */
    public String qemuName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
