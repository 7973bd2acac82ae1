package io.bulkhead.core.domains;

/** The request is valid but refused (raised by admin-permission listeners). Not a QubesException subclass in Qubes; it is one here so that every model error has {@link #qubesClass()}. */
public class PermissionDenied extends QubesException {

    private static final long serialVersionUID = 1L;

    public PermissionDenied(String message) {
        super(message);
    }
}
