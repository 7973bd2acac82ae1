package io.bulkhead.core.domains;

/** The qube should be suspended but is not. */
public class QubesVMNotSuspendedError extends QubesVMError {

    private static final long serialVersionUID = 1L;

    public QubesVMNotSuspendedError(String qubeName) {
        super(qubeName, "Domain is not suspended: '" + qubeName + "'");
    }

    public QubesVMNotSuspendedError(String qubeName, String message) {
        super(qubeName, message);
    }
}
