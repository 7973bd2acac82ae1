package io.bulkhead.core.policy;

import java.util.Objects;

/**
 * Why a policy could not be loaded ({@link Kind#PARSE}), or why a request was rejected before
 * any rule was looked at ({@link Kind#REQUEST}). Either way the call is denied.
 *
 * @param kind    parse or request
 * @param file    offending file, {@code null} for request errors
 * @param line    1-based line, 0 when the error concerns the whole file (or the request)
 * @param message reason, in Qubes' wording where Qubes has one
 */
public record PolicyError(Kind kind, String file, int line, String message) {

    /** The two families of errors. */
    public enum Kind {
        /** The policy set is invalid: every request is denied until it is fixed. */
        PARSE,
        /** This request is invalid (bad intended target, bad requested source). */
        REQUEST
    }

    public PolicyError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line: message}, the format of compilers and linters. */
    @Override
    public String toString() {
        if (file == null) {
            return message;
        }
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
