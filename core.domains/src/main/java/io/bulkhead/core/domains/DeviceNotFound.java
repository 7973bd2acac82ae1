package io.bulkhead.core.domains;

/** No such device. */
public class DeviceNotFound extends QubesException {

    private static final long serialVersionUID = 1L;

    public DeviceNotFound(String message) {
        super(message);
    }
}
