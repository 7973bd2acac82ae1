package io.bulkhead.core.qrexec;

import java.io.IOException;

/** A qrexec operation failed: no agent connected, link broken, bad request. */
public class QrexecException extends IOException {
    private static final long serialVersionUID = 1L;

    public QrexecException(String message) {
        super(message);
    }

    public QrexecException(String message, Throwable cause) {
        super(message, cause);
    }
}
