package io.bulkhead.core.domains;

import java.nio.file.Path;

/**
 * The store file cannot be read or written: corrupt, unreadable, locked by another process. The
 * message names the file (and line/column for a parse error). Reported as {@code QubesException}.
 */
public class QubesStoreException extends QubesException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public QubesStoreException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** @return the store file concerned */
    public Path file() {
        return file;
    }

    @Override
    public String qubesClass() {
        return "QubesException";
    }
}
