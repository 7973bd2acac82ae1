package io.bulkhead.core.policy.internal;

/** The request itself is invalid (intended target, requested source): denied before any rule. */
final class RequestException extends Exception {
    private static final long serialVersionUID = 1L;

    RequestException(String message) {
        super(message, null, false, false);
    }
}
