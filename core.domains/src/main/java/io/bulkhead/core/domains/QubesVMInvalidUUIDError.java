package io.bulkhead.core.domains;

/** A {@code uuid:} qube address is not a valid UUID. */
public class QubesVMInvalidUUIDError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesVMInvalidUUIDError(String message) {
        super(message);
    }
}
