package io.bulkhead.core.domains;

/** The qube should be running but is halted or paused. */
public class QubesVMNotRunningError extends QubesVMNotStartedError {

    private static final long serialVersionUID = 1L;

    public QubesVMNotRunningError(String qubeName) {
        super(qubeName, "Domain not running (either powered off or paused): '" + qubeName + "'");
    }

    public QubesVMNotRunningError(String qubeName, String message) {
        super(qubeName, message);
    }
}
