package io.bulkhead.core.domains.hal;

import java.util.Map;
import java.util.Objects;

/**
 * A device to attach to a running domain.
 *
 * @param deviceClass   {@code pci}, {@code usb}, {@code block}, ... (Qubes device class)
 * @param backendDomain domain that exposes the device ({@code dom0} for host devices)
 * @param port          port id inside the backend, e.g. PCI {@code 00_14.0}, USB {@code 2-1},
 *                      block {@code sda} or an image path for block devices exported by dom0
 * @param options       class-specific options, e.g. {@code read-only=yes}, {@code no-strict-reset=True}
 */
public record DeviceSpec(String deviceClass, String backendDomain, String port, Map<String, String> options) {

    public DeviceSpec {
        Objects.requireNonNull(deviceClass, "deviceClass");
        Objects.requireNonNull(backendDomain, "backendDomain");
        Objects.requireNonNull(port, "port");
        options = Map.copyOf(options);
    }
}
