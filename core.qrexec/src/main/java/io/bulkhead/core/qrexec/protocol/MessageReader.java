package io.bulkhead.core.qrexec.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads whole messages from a byte stream (a unix socket, a pipe), checking each header with
 * {@link MessageLimits} before the payload is allocated. Not thread safe.
 */
public final class MessageReader {
    private final InputStream in;
    private final byte[] header = new byte[Message.HEADER_SIZE];
    private int version = ProtocolVersion.CURRENT;

    public MessageReader(InputStream in) {
        this.in = in;
    }

    /** Sets the negotiated version, which lowers the data chunk limit for version 2. */
    public void version(int negotiated) {
        this.version = negotiated;
    }

    /**
     * @return the next message, or {@code null} on end of stream at a message boundary
     * @throws ProtocolException on a bad header or a stream cut inside a message
     */
    public Message read() throws IOException {
        int n = in.readNBytes(header, 0, header.length);
        if (n == 0) {
            return null;
        }
        if (n < header.length) {
            throw new ProtocolException("stream ended inside a message header (" + n + " of 8 bytes)");
        }
        int type = LittleEndian.getInt(header, 0);
        int length = LittleEndian.getInt(header, 4);
        MessageLimits.check(type, length, version);
        byte[] payload = new byte[length];
        if (in.readNBytes(payload, 0, length) < length) {
            throw new ProtocolException("stream ended inside " + MessageType.name(type) + " payload");
        }
        return new Message(type, payload);
    }

    /** Like {@link #read()} but end of stream is an error naming what was expected. */
    public Message readRequired(String expected) throws IOException {
        Message m = read();
        if (m == null) {
            throw new EOFException("stream ended while waiting for " + expected);
        }
        return m;
    }
}
