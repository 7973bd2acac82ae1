package io.bulkhead.core.domains;

/** Cannot start: the qube has no template. */
public class QubesNoTemplateError extends QubesVMError {

    private static final long serialVersionUID = 1L;

    public QubesNoTemplateError(String qubeName) {
        super(qubeName, "Template for the domain not found: '" + qubeName + "'");
    }

    public QubesNoTemplateError(String qubeName, String message) {
        super(qubeName, message);
    }
}
