package io.bulkhead.core.admin;

import io.bulkhead.core.domains.QubesException;

/** The call is malformed (Qubes' {@code ProtocolError}): unknown method, unexpected argument or payload. */
public class ProtocolError extends QubesException {
    private static final long serialVersionUID = 1L;

    public ProtocolError(String message) {
        super(message);
    }
}
