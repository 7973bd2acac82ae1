package io.bulkhead.core.domains;

/** Tag not set for a given qube. */
public class QubesTagNotFoundError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesTagNotFoundError(String message) {
        super(message);
    }
}
