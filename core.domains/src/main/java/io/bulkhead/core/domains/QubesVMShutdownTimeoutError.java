package io.bulkhead.core.domains;

/** The qube did not stop within its shutdown timeout. */
public class QubesVMShutdownTimeoutError extends QubesVMError {

    private static final long serialVersionUID = 1L;

    public QubesVMShutdownTimeoutError(String qubeName) {
        super(qubeName, "Domain shutdown timed out: '" + qubeName + "'");
    }

    public QubesVMShutdownTimeoutError(String qubeName, String message) {
        super(qubeName, message);
    }
}
