package io.bulkhead.core.domains;

/** The qube should be halted but is running or paused. */
public class QubesVMNotHaltedError extends QubesVMError {

    private static final long serialVersionUID = 1L;

    public QubesVMNotHaltedError(String qubeName) {
        super(qubeName, "Domain is not powered off: '" + qubeName + "'");
    }

    public QubesVMNotHaltedError(String qubeName, String message) {
        super(qubeName, message);
    }
}
