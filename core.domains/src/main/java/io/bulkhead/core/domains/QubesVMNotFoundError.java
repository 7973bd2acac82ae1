package io.bulkhead.core.domains;

/** No qube of that name or uuid. Message: {@code No such domain: 'NAME'}. */
public class QubesVMNotFoundError extends QubesException {

    private static final long serialVersionUID = 1L;

    private final String qubeName;

    public QubesVMNotFoundError(String qubeName) {
        super("No such domain: '" + qubeName + "'");
        this.qubeName = qubeName;
    }

    /** @return the name (or {@code uuid:...} address) that was not found */
    public String qubeName() {
        return qubeName;
    }
}
