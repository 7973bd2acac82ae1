package io.bulkhead.core.domains;

/** A property cannot be written: it is write-once and already set, or read-only (computed). */
public class QubesPropertyAccessError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesPropertyAccessError(String message) {
        super(message);
    }
}
