package io.bulkhead.core.domains.device;

import java.util.Map;
import java.util.Objects;

/**
 * A persistent assignment of a device to a qube.
 *
 * @param deviceClass   {@code pci}, {@code usb}, {@code block}, ...
 * @param backendDomain qube exposing the device
 * @param port          port id, {@code *} for any port
 * @param deviceId      device identity, {@code *} for any device on the port
 * @param mode          assignment mode
 * @param options       class-specific options
 */
public record DeviceAssignment(String deviceClass, String backendDomain, String port, String deviceId,
                               AssignmentMode mode, Map<String, String> options) {

    public DeviceAssignment {
        Objects.requireNonNull(deviceClass, "deviceClass");
        Objects.requireNonNull(backendDomain, "backendDomain");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(mode, "mode");
        options = Map.copyOf(options);
    }

    /** @return whether {@code device} satisfies this assignment (same backend, port and identity unless wildcards) */
    public boolean matches(DeviceInfo device) {
        return backendDomain.equals(device.backendDomain())
                && ("*".equals(port) || port.equals(device.port()))
                && ("*".equals(deviceId) || deviceId.equals(device.deviceId()));
    }
}
