package io.bulkhead.core.domains;

/** Cannot set some value: invalid, out of bounds, etc. Qubes class {@code QubesValueError}. */
public class QubesValueError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesValueError(String message) {
        super(message);
    }
}
