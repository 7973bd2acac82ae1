package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.DeviceSpec;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host PCI device passed through to a domain, and its xl PCI_SPEC_STRING
 * (docs/man/xl-pci-configuration): {@code DDDD:BB:SS.F[,permissive=1]}.
 *
 * <p>Qubes names PCI ports with {@code _} instead of {@code :} ({@code 00_14.0}, with an
 * optional domain {@code 0000_00_14.0}); both spellings are accepted. Device options follow
 * Qubes: {@code permissive} maps to xl's {@code permissive=1}; {@code no-strict-reset} tells
 * libvirt not to insist on a function-level reset, which libxl never insists on, so it has no
 * xl equivalent and is accepted without effect. Other options are rejected.
 *
 * @param domain     PCI segment
 * @param bus        bus number
 * @param slot       device (slot) number
 * @param function   function number
 * @param permissive allow every config-space write by the guest
 */
record XenPciDevice(int domain, int bus, int slot, int function, boolean permissive) {

    private static final Pattern BDF = Pattern.compile(
            "(?:([0-9a-fA-F]{4})[:_])?([0-9a-fA-F]{2})[:_]([0-9a-fA-F]{2})\\.([0-7])");

    XenPciDevice {
        if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || slot < 0 || slot > 0x1f || function < 0
                || function > 7) {
            throw new IllegalArgumentException("PCI address out of range: " + domain + ":" + bus + ":" + slot + "." + function);
        }
    }

    /** Reads a Qubes PCI device spec (class {@code pci}, backend {@code dom0}). */
    static XenPciDevice of(DeviceSpec device) {
        if (!device.deviceClass().equals("pci")) {
            throw new IllegalArgumentException("not a PCI device: class '" + XenNames.printable(device.deviceClass()) + "'");
        }
        if (!device.backendDomain().equals(XenNames.DOM0)) {
            throw new IllegalArgumentException("PCI device " + XenNames.printable(device.port()) + " has backend domain '"
                    + XenNames.printable(device.backendDomain()) + "'; PCI devices are host devices, backend must be dom0");
        }
        Matcher m = BDF.matcher(device.port());
        if (!m.matches()) {
            throw new IllegalArgumentException("PCI port '" + XenNames.printable(device.port())
                    + "' is not a PCI address like 00_14.0 or 0000:00:14.0");
        }
        boolean permissive = false;
        for (Map.Entry<String, String> option : device.options().entrySet()) {
            switch (option.getKey()) {
                case "permissive" -> permissive = bool(option.getKey(), option.getValue());
                case "no-strict-reset" -> bool(option.getKey(), option.getValue());
                default -> throw new IllegalArgumentException("PCI device option '" + XenNames.printable(option.getKey())
                        + "' is not supported by the xen backend (supported: permissive, no-strict-reset)");
            }
        }
        int domain = m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16);
        return new XenPciDevice(domain, Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3), 16),
                Integer.parseInt(m.group(4)), permissive);
    }

    /** @return the BDF, {@code 0000:00:14.0} */
    String bdf() {
        return String.format(Locale.ROOT, "%04x:%02x:%02x.%d", domain, bus, slot, function);
    }

    /** @return the PCI_SPEC_STRING for {@code pci=} and {@code xl pci-attach} */
    String spec() {
        return permissive ? bdf() + ",permissive=1" : bdf();
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off", "" -> false;
            default -> throw new IllegalArgumentException("PCI device option " + key + "='" + XenNames.printable(value)
                    + "' is not a boolean (True/False/yes/no/1/0)");
        };
    }
}
