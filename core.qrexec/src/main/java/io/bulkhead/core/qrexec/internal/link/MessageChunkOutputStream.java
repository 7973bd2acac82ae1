package io.bulkhead.core.qrexec.internal.link;

import io.bulkhead.core.qrexec.protocol.Message;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes bytes as data messages of one type ({@code STDIN}, {@code STDOUT}, {@code STDERR}) on a
 * {@link DataConnection}, in chunks of at most the negotiated size; {@link #close()} sends the
 * EOF message. Not thread safe (one writer per data type).
 */
public final class MessageChunkOutputStream extends OutputStream {
    private final DataConnection connection;
    private final int type;
    private final byte[] buffer;
    private int count;
    private boolean closed;

    /**
     * @param chunk the largest payload per message ({@link io.bulkhead.core.qrexec.protocol.ProtocolVersion#maxDataChunk})
     */
    public MessageChunkOutputStream(DataConnection connection, int type, int chunk) {
        this.connection = connection;
        this.type = type;
        this.buffer = new byte[chunk];
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (count == buffer.length) {
            flushBuffer();
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (count == 0 && len >= buffer.length) {
                // whole chunks go out without a copy
                connection.write(type, b, off, buffer.length);
                off += buffer.length;
                len -= buffer.length;
                continue;
            }
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
            if (count == buffer.length) {
                flushBuffer();
            }
        }
    }

    /** Sends buffered bytes as one message (none if the buffer is empty: an empty message is EOF). */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        flushBuffer();
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            connection.write(type, buffer, 0, count);
            count = 0;
        }
    }

    /** Sends what is buffered, then the EOF message. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        flushBuffer();
        connection.write(Message.eof(type));
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed (EOF already sent)");
        }
    }
}
