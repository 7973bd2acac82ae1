package io.bulkhead.core.domains.device;

import java.util.Map;
import java.util.Objects;

/**
 * A device exposed by a backend qube.
 *
 * @param backendDomain qube exposing the device
 * @param port          port id in the backend (e.g. {@code 00_14.0}, {@code 2-1}, {@code sda})
 * @param deviceId      device identity (e.g. {@code 0x8086:0xa0ed::p0c0330}), {@code *} if unknown
 * @param description   human-readable description
 * @param attributes    class-specific attributes
 */
public record DeviceInfo(String backendDomain, String port, String deviceId, String description,
                         Map<String, String> attributes) {

    public DeviceInfo {
        Objects.requireNonNull(backendDomain, "backendDomain");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(description, "description");
        attributes = Map.copyOf(attributes);
    }
}
