package io.bulkhead.core.domains;

/** The qube has no volume of that name. */
public class QubesVolumeNotFoundError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesVolumeNotFoundError(String message) {
        super(message);
    }
}
