package io.bulkhead.core.policy.internal;

/** A syntax error in one policy line; the reader adds file and line. */
final class PolicySyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    PolicySyntaxException(String message) {
        super(message, null, false, false);
    }
}
