package io.bulkhead.core.policy;

import java.util.List;
import java.util.Objects;

/** A policy administration request was refused; {@link #reason()} tells the Admin API error class. */
public final class PolicyAdminException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a request was refused. */
    public enum Reason {
        /** The name is not {@code [a-z0-9_-]+} (policy) / {@code [A-Za-z0-9_-]+} (include). */
        INVALID_NAME,
        /** No such file. */
        NOT_FOUND,
        /** The token is neither {@code sha256:<hex>}, {@code new} nor {@code any}. */
        INVALID_TOKEN,
        /** The file changed (or exists, or does not) contrary to what the token says. */
        TOKEN_MISMATCH,
        /** The policy set would be invalid after the change; see {@link #errors()}. */
        VALIDATION_FAILED,
        /** Reading or writing the directory failed. */
        IO_ERROR
    }

    private final Reason reason;
    private final List<PolicyError> errors;

    public PolicyAdminException(Reason reason, String message) {
        this(reason, message, List.of(), null);
    }

    public PolicyAdminException(Reason reason, String message, List<PolicyError> errors, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.errors = List.copyOf(errors);
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#VALIDATION_FAILED}: what is wrong with the candidate policy. */
    public List<PolicyError> errors() {
        return errors;
    }
}
