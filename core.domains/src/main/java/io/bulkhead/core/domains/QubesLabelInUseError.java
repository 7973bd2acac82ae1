package io.bulkhead.core.domains;

/** Label cannot be removed: built in, or still used by a qube. */
public class QubesLabelInUseError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesLabelInUseError(String message) {
        super(message);
    }
}
