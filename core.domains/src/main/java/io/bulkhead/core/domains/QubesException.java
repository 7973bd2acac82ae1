package io.bulkhead.core.domains;

/**
 * Base of every error the model reports to users. {@link #qubesClass()} is the name of the
 * matching Qubes exception class, which the Admin API writes on the wire
 * ({@code 2\0<class>\0<traceback>\0<message>\0}) so that qubesadmin clients re-raise the same type.
 */
public class QubesException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public QubesException(String message) {
        super(message);
    }

    public QubesException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @return Qubes exception class name; by default the simple name of the Java class */
    public String qubesClass() {
        return getClass().getSimpleName();
    }
}
