package io.bulkhead.core.domains;

/** Feature not set for a given qube (also from the CheckWith* lookups). */
public class QubesFeatureNotFoundError extends QubesException {

    private static final long serialVersionUID = 1L;

    public QubesFeatureNotFoundError(String message) {
        super(message);
    }
}
