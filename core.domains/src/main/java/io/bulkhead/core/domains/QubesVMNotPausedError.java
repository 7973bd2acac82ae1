package io.bulkhead.core.domains;

/** The qube should be paused but is not. */
public class QubesVMNotPausedError extends QubesVMNotStartedError {

    private static final long serialVersionUID = 1L;

    public QubesVMNotPausedError(String qubeName) {
        super(qubeName, "Domain is not paused: '" + qubeName + "'");
    }

    public QubesVMNotPausedError(String qubeName, String message) {
        super(qubeName, message);
    }
}
