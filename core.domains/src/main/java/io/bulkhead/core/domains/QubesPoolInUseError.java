package io.bulkhead.core.domains;

/** Storage pool cannot be removed: volumes live there or it is a default pool. */
public class QubesPoolInUseError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesPoolInUseError(String message) {
        super(message);
    }
}
