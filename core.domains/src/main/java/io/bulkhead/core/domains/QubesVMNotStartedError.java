package io.bulkhead.core.domains;

/** The qube is halted but should be running or paused. */
public class QubesVMNotStartedError extends QubesVMError {

    private static final long serialVersionUID = 1L;

    public QubesVMNotStartedError(String qubeName) {
        super(qubeName, "Domain is powered off: '" + qubeName + "'");
    }

    public QubesVMNotStartedError(String qubeName, String message) {
        super(qubeName, message);
    }
}
