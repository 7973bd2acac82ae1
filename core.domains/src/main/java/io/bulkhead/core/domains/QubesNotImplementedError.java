package io.bulkhead.core.domains;

/** The requested feature is not available in this implementation. */
public class QubesNotImplementedError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesNotImplementedError(String message) {
        super(message);
    }
}
