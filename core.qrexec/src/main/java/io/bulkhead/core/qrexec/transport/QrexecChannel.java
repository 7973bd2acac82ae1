package io.bulkhead.core.qrexec.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A full-duplex byte channel between dom0 and one qube's agent. One thread reads
 * {@link #input()} while others write {@link #output()} (serialised by the caller), so the two
 * directions must not block each other. {@code read} returns -1 when the peer is gone. Closing
 * unblocks a pending read where the medium allows it.
 */
public interface QrexecChannel extends Closeable {

    /** @return bytes from the peer */
    InputStream input() throws IOException;

    /** @return bytes to the peer; {@code flush()} pushes buffered bytes out */
    OutputStream output() throws IOException;

    /** @return a short description for log lines (path, qube) */
    String describe();
}
