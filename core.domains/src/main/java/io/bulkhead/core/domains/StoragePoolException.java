package io.bulkhead.core.domains;

/** A general storage error (driver failure, missing tool, bad pool configuration). */
public class StoragePoolException extends QubesException {

    private static final long serialVersionUID = 1L;

    public StoragePoolException(String message) {
        super(message);
    }
}
