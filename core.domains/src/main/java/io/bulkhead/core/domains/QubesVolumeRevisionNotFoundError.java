package io.bulkhead.core.domains;

/** The volume has no revision of that id. */
public class QubesVolumeRevisionNotFoundError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesVolumeRevisionNotFoundError(String message) {
        super(message);
    }
}
