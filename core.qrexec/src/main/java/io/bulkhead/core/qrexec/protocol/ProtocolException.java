package io.bulkhead.core.qrexec.protocol;

import java.io.IOException;

/**
 * The peer broke the qrexec protocol (bad length, unknown type, wrong order, bad name). The link
 * or stream it came from must not be trusted any further.
 */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
