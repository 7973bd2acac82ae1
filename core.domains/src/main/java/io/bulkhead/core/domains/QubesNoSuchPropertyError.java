package io.bulkhead.core.domains;

/** The requested property does not exist on that qube class (or globally). */
public class QubesNoSuchPropertyError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesNoSuchPropertyError(String message) {
        super(message);
    }
}
