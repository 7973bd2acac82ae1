package io.bulkhead.core.domains;

/** No storage pool of that name. */
public class QubesPoolNotFoundError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesPoolNotFoundError(String message) {
        super(message);
    }
}
