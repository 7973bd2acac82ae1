package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.DeviceNotFound;
import io.bulkhead.core.domains.QubesVMError;
import io.bulkhead.core.domains.device.AssignmentMode;
import io.bulkhead.core.domains.device.DeviceAssignment;
import io.bulkhead.core.domains.device.DeviceClass;
import io.bulkhead.core.domains.device.DeviceInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Device classes provided by backend bundles, and what start does with persistent assignments:
 * required devices must be present, required and auto-attach devices are attached once the
 * domain runs ({@code ask-to-attach} needs a prompt and is left to the UI).
 */
final class DeviceManager {

    private final Map<String, DeviceClass> classes = new ConcurrentHashMap<>();
    private final BiConsumer<String, Throwable> log;

    DeviceManager(BiConsumer<String, Throwable> log) {
        this.log = log;
    }

    void add(DeviceClass deviceClass) {
        classes.put(deviceClass.name(), deviceClass);
    }

    void remove(DeviceClass deviceClass) {
        classes.remove(deviceClass.name(), deviceClass);
    }

    private Optional<DeviceInfo> find(DeviceClass dc, DeviceAssignment a) {
        return dc.available(a.backendDomain()).stream().filter(a::matches).findFirst();
    }

    /** Refuses the start when a required device is not available. */
    void checkRequired(String qube, List<DeviceAssignment> assignments) {
        for (DeviceAssignment a : assignments) {
            if (a.mode() != AssignmentMode.REQUIRED) {
                continue;
            }
            DeviceClass dc = classes.get(a.deviceClass());
            if (dc == null) {
                throw new QubesVMError(qube, "Qube '" + qube + "' requires " + a.deviceClass() + " device "
                        + a.backendDomain() + ":" + a.port() + ", but no DeviceClass service with devclass="
                        + a.deviceClass() + " is registered");
            }
            if (find(dc, a).isEmpty()) {
                throw new DeviceNotFound("Qube '" + qube + "' requires " + a.deviceClass() + " device "
                        + a.backendDomain() + ":" + a.port() + " (" + a.deviceId() + "), which is not available");
            }
        }
    }

    /** Attaches required (failure aborts the start) and auto-attach (failure is logged) devices. */
    void attachAtStart(String qube, List<DeviceAssignment> assignments) {
        for (DeviceAssignment a : assignments) {
            if (a.mode() == AssignmentMode.ASK_TO_ATTACH) {
                continue;
            }
            DeviceClass dc = classes.get(a.deviceClass());
            try {
                if (dc == null) {
                    throw new QubesVMError(qube, "no DeviceClass service with devclass=" + a.deviceClass());
                }
                DeviceInfo device = find(dc, a).orElseThrow(() -> new DeviceNotFound(a.deviceClass() + " device "
                        + a.backendDomain() + ":" + a.port() + " is not available"));
                dc.attach(qube, device, a.options());
            } catch (RuntimeException e) {
                if (a.mode() == AssignmentMode.REQUIRED) {
                    throw new QubesVMError(qube, "Cannot attach required " + a.deviceClass() + " device "
                            + a.backendDomain() + ":" + a.port() + " to '" + qube + "': " + e.getMessage(), e);
                }
                log.accept("cannot auto-attach " + a.deviceClass() + " device " + a.backendDomain() + ":" + a.port()
                        + " to '" + qube + "': " + e.getMessage(), null);
            }
        }
    }
}
