package io.bulkhead.core.domains;

/** The qube is in use (by other qubes or global settings) and cannot be removed/changed. */
public class QubesVMInUseError extends QubesVMError {

    private static final long serialVersionUID = 1L;

    public QubesVMInUseError(String qubeName) {
        super(qubeName, "Domain is in use: '" + qubeName + "'");
    }

    public QubesVMInUseError(String qubeName, String message) {
        super(qubeName, message);
    }
}
