package io.bulkhead.core.domains;

/** Trying to unassign a device that is not assigned. */
public class DeviceNotAssigned extends QubesException {

    private static final long serialVersionUID = 1L;

    public DeviceNotAssigned(String message) {
        super(message);
    }
}
