package io.bulkhead.core.domains.device;

import java.util.List;

/**
 * A device class provider. Register as an OSGi service with {@value #CLASS_PROPERTY}{@code =<class>}.
 */
public interface DeviceClass {

    /** Service property with the class name, e.g. {@code devclass=usb}. */
    String CLASS_PROPERTY = "devclass";

    /** @return class name ({@code pci}, {@code usb}, {@code block}, {@code mic}) */
    String name();

    /** @return devices currently exposed by {@code backendQube} */
    List<DeviceInfo> available(String backendQube);

    /** @return devices of this class currently attached to {@code targetQube} */
    List<DeviceInfo> attached(String targetQube);

    /** Attaches a device to a running qube (runtime only, not persisted). */
    void attach(String targetQube, DeviceInfo device, java.util.Map<String, String> options);

    /** Detaches a device from a qube. */
    void detach(String targetQube, DeviceInfo device);
}
