package io.bulkhead.core.domains;

/** A problem with a qube's state; carries the qube name. */
public class QubesVMError extends QubesException {

    private static final long serialVersionUID = 1L;

    private final String qubeName;

    public QubesVMError(String qubeName, String message) {
        super(message);
        this.qubeName = qubeName;
    }

    public QubesVMError(String qubeName, String message, Throwable cause) {
        super(message, cause);
        this.qubeName = qubeName;
    }

    /** @return the qube concerned */
    public String qubeName() {
        return qubeName;
    }
}
