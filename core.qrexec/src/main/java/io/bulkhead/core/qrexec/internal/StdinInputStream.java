package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.protocol.DataStreamChecker;
import io.bulkhead.core.qrexec.protocol.Message;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's stdin of a call served in dom0, read from the caller's data connection (after its
 * hello) and checked against the caller rules. A violation closes the caller's link.
 */
final class StdinInputStream extends InputStream {
    private final DataConnection stream;
    private final DataStreamChecker checker;
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean eof;

    StdinInputStream(DataConnection stream, DataStreamChecker checker) {
        this.stream = stream;
        this.checker = checker;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == chunk.length) {
            if (eof) {
                return -1;
            }
            Message m = stream.read();
            if (m == null || m.length() == 0) {
                if (m != null) {
                    check(m);
                }
                eof = true;
                return -1;
            }
            check(m);
            chunk = m.payload();
            pos = 0;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    private void check(Message m) throws IOException {
        try {
            checker.accept(m);
        } catch (io.bulkhead.core.qrexec.protocol.ProtocolException e) {
            stream.failLink("caller of a dom0 service: " + e.getMessage());
            throw e;
        }
    }
}
