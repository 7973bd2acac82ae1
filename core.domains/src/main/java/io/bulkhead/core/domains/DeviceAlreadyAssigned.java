package io.bulkhead.core.domains;

/** Trying to assign a device that is already assigned. */
public class DeviceAlreadyAssigned extends QubesException {

    private static final long serialVersionUID = 1L;

    public DeviceAlreadyAssigned(String message) {
        super(message);
    }
}
