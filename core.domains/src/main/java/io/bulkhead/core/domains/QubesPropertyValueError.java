package io.bulkhead.core.domains;

/** A user-supplied property value is wrong (bad qube reference, loop, wrong class, ...). */
public class QubesPropertyValueError extends QubesValueError {

    private static final long serialVersionUID = 1L;

    public QubesPropertyValueError(String message) {
        super(message);
    }
}
