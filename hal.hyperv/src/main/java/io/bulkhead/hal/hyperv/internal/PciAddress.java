package io.bulkhead.hal.hyperv.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host PCI function as Qubes names it in a device port ({@code 00_14.0}, or with the segment,
 * {@code 0000_00_14.0}), and as Windows describes its location ({@code PCI bus 0, device 20,
 * function 0}, the DEVPKEY_Device_LocationInfo property Discrete Device Assignment starts from).
 */
record PciAddress(int bus, int device, int function) {

    private static final Pattern PORT = Pattern.compile("(?:(0000)_)?([0-9a-fA-F]{2})_([0-9a-fA-F]{2})\\.([0-7])");

    /** @throws IllegalArgumentException naming the port if it is no PCI address in segment 0 */
    static PciAddress parse(String port) {
        Matcher m = PORT.matcher(port);
        if (!m.matches()) {
            throw new IllegalArgumentException("PCI port must look like 00_14.0 (bus_device.function, segment 0000), got "
                    + PowerShellQuoting.visible(port));
        }
        int device = Integer.parseInt(m.group(3), 16);
        if (device > 31) {
            throw new IllegalArgumentException("PCI device number must be at most 1f, got " + port);
        }
        return new PciAddress(Integer.parseInt(m.group(2), 16), device, Integer.parseInt(m.group(4)));
    }

    String locationInfo() {
        return "PCI bus " + bus + ", device " + device + ", function " + function;
    }

    @Override
    public String toString() {
        return String.format("%02x_%02x.%d", bus, device, function);
    }
}
