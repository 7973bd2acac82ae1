package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.DeviceSpec;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Xen virtual disk and its xl disk-spec string (docs/man/xl-disk-configuration).
 *
 * <p>Spec grammar facts (libxlutil's disk lexer): parameters are comma separated
 * {@code key=value}; {@code vdev}, {@code format}, {@code access}, {@code backend} values end at
 * the next comma; {@code target=} must come last and takes the rest of the string, commas
 * included, except one trailing comma, which the lexer strips. So every value but the target
 * must be comma-free, and a target must not end with a comma.
 *
 * @param vdev          guest device ({@code xvda}, ...)
 * @param target        image file or block device, as seen by the backend domain
 * @param format        image format
 * @param readOnly      attach read-only ({@code access=ro})
 * @param backendDomain domain serving the disk; empty for dom0
 * @param cdrom         attach as a CD-ROM ({@code devtype=cdrom})
 */
record XenDisk(String vdev, String target, DiskFormat format, boolean readOnly, Optional<String> backendDomain,
        boolean cdrom) {

    /** Qubes' fixed frontend names of the well-known volumes; other volumes follow from xvde. */
    static final Map<String, String> WELL_KNOWN_VDEVS = Map.of("root", "xvda", "private", "xvdb", "volatile", "xvdc",
            "kernel", "xvdd");

    private static final Pattern BLOCK_PORT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:+-]*");

    XenDisk {
        requireVdev(vdev);
        XlSyntax.requireRepresentable("disk target of " + vdev, target);
        if (target.isEmpty() || target.endsWith(",")) {
            throw new IllegalArgumentException("disk target '" + XenNames.printable(target) + "' of " + vdev
                    + (target.isEmpty() ? " is empty" : " ends with ',', which xl's disk-spec parser strips"));
        }
        backendDomain.ifPresent(name -> XenNames.require("backend domain of disk " + vdev, name));
    }

    /** @return the xl disk-spec string, target last */
    String spec() {
        StringBuilder out = new StringBuilder();
        out.append("format=").append(format == DiskFormat.QCOW2 ? "qcow2" : "raw");
        out.append(",vdev=").append(vdev);
        out.append(",access=").append(readOnly ? "ro" : "rw");
        if (cdrom) {
            out.append(",devtype=cdrom");
        }
        backendDomain.filter(name -> !name.equals(XenNames.DOM0)).ifPresent(name -> out.append(",backend=").append(name));
        out.append(",target=").append(target);
        return out.toString();
    }

    /**
     * The disks of a domain: well-known volumes at Qubes' fixed vdevs (root xvda, private xvdb,
     * volatile xvdc, kernel xvdd), every other volume at the next free vdev from xvde, in spec
     * order.
     */
    static List<XenDisk> forVolumes(DomainSpec spec) {
        Set<String> seen = new HashSet<>();
        Set<String> used = new HashSet<>();
        for (VolumeSpec volume : spec.volumes()) {
            if (!seen.add(volume.name())) {
                throw new IllegalArgumentException("domain " + spec.name() + " has two volumes named '"
                        + XenNames.printable(volume.name()) + "'");
            }
            String fixed = WELL_KNOWN_VDEVS.get(volume.name());
            if (fixed != null) {
                used.add(fixed);
            }
        }
        List<XenDisk> disks = new ArrayList<>();
        for (VolumeSpec volume : spec.volumes()) {
            String vdev = WELL_KNOWN_VDEVS.get(volume.name());
            if (vdev == null) {
                vdev = nextFree(used, "xvde");
                used.add(vdev);
            }
            if (!volume.path().isAbsolute()) {
                throw new IllegalArgumentException("volume '" + XenNames.printable(volume.name()) + "' of domain "
                        + spec.name() + " has a relative path " + XenNames.printable(volume.path().toString())
                        + "; xl needs an absolute one");
            }
            try {
                disks.add(new XenDisk(vdev, volume.path().toString(), volume.format(), volume.readOnly(), Optional.empty(),
                        false));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("volume '" + XenNames.printable(volume.name()) + "' of domain "
                        + spec.name() + ": " + e.getMessage(), e);
            }
        }
        return disks;
    }

    /**
     * The disk for a Qubes block device ({@code qvm-block attach}): port {@code sda} of a backend
     * domain is its {@code /dev/sda}; dom0 may also export an image by absolute path. Options as
     * in Qubes: {@code read-only}, {@code frontend-dev} (default: first free from xvdi),
     * {@code devtype} ({@code disk} or {@code cdrom}).
     *
     * @param used vdevs the domain already has
     */
    static XenDisk forBlockDevice(DeviceSpec device, Set<String> used) {
        String backend = XenNames.require("backend domain of block device", device.backendDomain());
        String port = device.port();
        String target;
        if (port.startsWith("/") && backend.equals(XenNames.DOM0)) {
            target = port;
        } else if (BLOCK_PORT.matcher(port).matches()) {
            target = "/dev/" + port;
        } else {
            throw new IllegalArgumentException("block device port '" + XenNames.printable(port)
                    + "' must be a device name like sda or xvdi1 (or an absolute image path exported by dom0)");
        }
        boolean readOnly = false;
        boolean cdrom = false;
        String vdev = null;
        for (Map.Entry<String, String> option : device.options().entrySet()) {
            String value = option.getValue();
            switch (option.getKey()) {
                case "read-only" -> readOnly = switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "true", "yes", "1", "on" -> true;
                    case "false", "no", "0", "off", "" -> false;
                    default -> throw new IllegalArgumentException("block device option read-only='"
                            + XenNames.printable(value) + "' is not a boolean");
                };
                case "frontend-dev" -> {
                    requireVdev(value);
                    if (used.contains(value)) {
                        throw new IllegalArgumentException("frontend-dev " + value + " is already in use");
                    }
                    vdev = value;
                }
                case "devtype" -> cdrom = switch (value) {
                    case "cdrom" -> true;
                    case "disk" -> false;
                    default -> throw new IllegalArgumentException("block device option devtype='"
                            + XenNames.printable(value) + "' must be disk or cdrom");
                };
                default -> throw new IllegalArgumentException("block device option '" + XenNames.printable(option.getKey())
                        + "' is not supported by the xen backend (supported: read-only, frontend-dev, devtype)");
            }
        }
        if (cdrom) {
            readOnly = true;
        }
        return new XenDisk(vdev == null ? nextFree(used, "xvdi") : vdev, target, DiskFormat.RAW, readOnly,
                Optional.of(backend), cdrom);
    }

    /** @return the first vdev at or after {@code from} (xvde ... xvdz, xvdaa ... xvdzz) not in {@code used} */
    static String nextFree(Set<String> used, String from) {
        for (int index = index(from); index < 26 + 26 * 26; index++) {
            String candidate = name(index);
            if (!used.contains(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no free Xen disk name left (xvda ... xvdzz all used)");
    }

    private static void requireVdev(String vdev) {
        if (vdev == null || !vdev.matches("xvd[a-z]{1,2}")) {
            throw new IllegalArgumentException("disk frontend name '" + XenNames.printable(vdev)
                    + "' must be xvd followed by one or two letters (xvda ... xvdzz)");
        }
    }

    private static int index(String vdev) {
        requireVdev(vdev);
        String letters = vdev.substring(3);
        if (letters.length() == 1) {
            return letters.charAt(0) - 'a';
        }
        return 26 + (letters.charAt(0) - 'a') * 26 + (letters.charAt(1) - 'a');
    }

    private static String name(int index) {
        if (index < 26) {
            return "xvd" + (char) ('a' + index);
        }
        int rest = index - 26;
        return "xvd" + (char) ('a' + rest / 26) + (char) ('a' + rest % 26);
    }
}
