package io.bulkhead.core.domains;

/** Label does not exist. */
public class QubesLabelNotFoundError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesLabelNotFoundError(String message) {
        super(message);
    }
}
