package io.bulkhead.hal.kvm.internal;

import java.io.IOException;

/** QEMU answered a QMP command with an error, or the QMP conversation itself failed. */
final class QmpException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String errorClass;

    QmpException(String command, String errorClass, String description) {
        super("QMP " + command + " failed: " + errorClass + ": " + description);
        this.errorClass = errorClass;
    }

    QmpException(String message, Throwable cause) {
        super(message, cause);
        this.errorClass = "";
    }

    /** @return QMP error class, e.g. {@code GenericError}, {@code CommandNotFound}; empty if none */
    String errorClass() {
        return errorClass;
    }
}
