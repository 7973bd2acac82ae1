package io.bulkhead.core.qrexec.internal.vchan;

import io.bulkhead.core.qrexec.protocol.LittleEndian;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageLimits;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Whole Qubes messages on a blocking unix socket that carries one vchan: libvchan-socket puts the
 * bytes on the socket as written, with no framing or handshake of its own.
 */
final class SocketMessages {

    private SocketMessages() {
    }

    /**
     * @return the next message, or {@code null} if the peer closed the socket between messages
     * @throws io.bulkhead.core.qrexec.protocol.ProtocolException if the header names an unknown
     *         type or a length its type does not allow (checked before the payload is allocated)
     * @throws EOFException if the socket ended inside a message (the peer died)
     */
    static Message read(SocketChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(Message.HEADER_SIZE);
        int got = fill(channel, header);
        if (got == 0) {
            return null;
        }
        if (got < Message.HEADER_SIZE) {
            throw new EOFException("connection ended inside a message header (" + got + " of 8 bytes)");
        }
        byte[] h = header.array();
        int type = LittleEndian.getInt(h, 0);
        int length = LittleEndian.getInt(h, 4);
        MessageLimits.check(type, length, ProtocolVersion.CURRENT);
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (fill(channel, payload) < length) {
            throw new EOFException("connection ended inside " + MessageType.name(type) + " payload");
        }
        return new Message(type, payload.array());
    }

    /** @return how many bytes were read: the buffer's size, or fewer if the stream ended */
    private static int fill(SocketChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                break;
            }
        }
        return buf.position();
    }

    /** Writes one message (header and payload) completely; the caller serialises writers. */
    static void write(SocketChannel channel, int type, byte[] b, int off, int len) throws IOException {
        byte[] h = new byte[Message.HEADER_SIZE];
        Message.writeHeader(h, 0, type, len);
        ByteBuffer[] parts = {ByteBuffer.wrap(h), ByteBuffer.wrap(b, off, len)};
        while (parts[1].hasRemaining() || parts[0].hasRemaining()) {
            channel.write(parts);
        }
    }
}
