package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.VolumeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * How one {@link VolumeSpec} becomes a Hyper-V disk. Hyper-V attaches only VHD/VHDX files, while
 * core's storage pool hands out raw images and qcow2 overlays; until the SPI carries VHDX volumes
 * (see README), every image is mapped to its <em>VHDX counterpart</em>: the file of the same name
 * with the extension {@code .vhdx} next to it (e.g. {@code root.img} -> {@code root.vhdx}),
 * which the user converts once ({@code qemu-img convert -O vhdx -o subformat=dynamic}).
 *
 * <ul>
 * <li>a qcow2 overlay whose backing file belongs to another volume (Qubes "snapshot on start",
 *     e.g. an AppVM's root over its template's root) becomes a fresh differencing VHDX over the
 *     backing file's counterpart, recreated at every start, so changes are discarded;</li>
 * <li>a qcow2 overlay over the volume's own image ({@code private-dirty.qcow2} over
 *     {@code private.img}, "save on stop") attaches the counterpart itself: writes persist
 *     directly, no revisions are kept;</li>
 * <li>the volume named {@code volatile} becomes an empty dynamic VHDX of the same size;</li>
 * <li>a read-only volume becomes a differencing VHDX over it (Hyper-V cannot attach read-only),
 *     so the guest can write but the image never changes;</li>
 * <li>anything else attaches its counterpart (or itself, if it already is a VHD/VHDX).</li>
 * </ul>
 */
sealed interface DiskPlan {

    /** @return the volume's name in the qube */
    String volume();

    /** Attach an existing VHDX as it is; the guest's writes land in it. */
    record Attach(String volume, String path) implements DiskPlan {
    }

    /** Create {@code fileName} in the VM directory as a differencing disk over {@code parent}. */
    record Differencing(String volume, String parent, String fileName) implements DiskPlan {
    }

    /** Create {@code fileName} in the VM directory as an empty dynamic disk. */
    record Fresh(String volume, long sizeBytes, String fileName) implements DiskPlan {
    }

    /**
     * @param volumes      volumes in attach order
     * @param volatileSize size in bytes for a fresh volatile disk, given the raw image's path
     */
    static List<DiskPlan> of(List<VolumeSpec> volumes, ToLongFunction<String> volatileSize) {
        List<DiskPlan> plans = new ArrayList<>();
        for (int i = 0; i < volumes.size(); i++) {
            plans.add(of(i, volumes.get(i), volatileSize));
        }
        return List.copyOf(plans);
    }

    private static DiskPlan of(int index, VolumeSpec volume, ToLongFunction<String> volatileSize) {
        String file = fileName(index, volume.name());
        String path = volume.path().toString();
        String image;
        if (volume.backing().isPresent()) {
            String backing = volume.backing().get().toString();
            image = vhdxCounterpart(backing);
            if (!overlaysItsOwnImage(path, backing)) {
                return new Differencing(volume.name(), image, file);
            }
        } else if (volume.name().equals("volatile") && !isVirtualDisk(path)) {
            return new Fresh(volume.name(), roundUpToMiB(volatileSize.applyAsLong(path)), file);
        } else {
            image = vhdxCounterpart(path);
        }
        return volume.readOnly() ? new Differencing(volume.name(), image, file) : new Attach(volume.name(), image);
    }

    /** @return {@code path} itself if it is a VHD/VHDX, else the same path with extension {@code .vhdx} */
    static String vhdxCounterpart(String path) {
        if (isVirtualDisk(path)) {
            return path;
        }
        int name = lastSeparator(path) + 1;
        int dot = path.lastIndexOf('.');
        return (dot > name ? path.substring(0, dot) : path) + ".vhdx";
    }

    static boolean isVirtualDisk(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return lower.endsWith(".vhdx") || lower.endsWith(".vhd");
    }

    /**
     * An overlay of a save-on-stop volume sits next to its own image and is named after it
     * ({@code private-dirty.qcow2} next to {@code private.img}); a snapshot-on-start overlay has a
     * backing file in another volume's directory.
     */
    static boolean overlaysItsOwnImage(String overlay, String backing) {
        int overlayName = lastSeparator(overlay) + 1;
        int backingName = lastSeparator(backing) + 1;
        if (!overlay.substring(0, overlayName).equals(backing.substring(0, backingName))) {
            return false;
        }
        String backingFile = backing.substring(backingName);
        int dot = backingFile.lastIndexOf('.');
        String stem = dot > 0 ? backingFile.substring(0, dot) : backingFile;
        return overlay.substring(overlayName).startsWith(stem + "-");
    }

    /** Disk file name inside the VM directory: position, then the volume name made file-safe. */
    static String fileName(int index, String volume) {
        String safe = volume.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (safe.length() > 40) {
            safe = safe.substring(0, 40);
        }
        return index + "-" + safe + ".vhdx";
    }

    private static int lastSeparator(String path) {
        return Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    }

    /** VHDX sizes must be multiples of 1 MiB. */
    private static long roundUpToMiB(long bytes) {
        long mib = 1L << 20;
        return Math.max(mib, (bytes + mib - 1) / mib * mib);
    }
}
