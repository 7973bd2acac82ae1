package io.bulkhead.core.qrexec.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * One qrexec message: {@code struct msg_header { uint32 type; uint32 len; }} plus {@code len}
 * payload bytes. The payload array is owned by the message and not copied (treat it as
 * read-only).
 */
public final class Message {

    /** Size of {@code struct msg_header}. */
    public static final int HEADER_SIZE = 8;
    /**
     * Largest payload of any message type: an {@code exec_params} header (8) plus a command of
     * {@link MessageLimits#MAX_COMMAND_LEN} bytes.
     */
    public static final int MAX_PAYLOAD = 8 + MessageLimits.MAX_COMMAND_LEN;

    private static final byte[] EMPTY = new byte[0];

    private final int type;
    private final byte[] payload;

    public Message(int type, byte[] payload) {
        this.type = type;
        this.payload = payload == null ? EMPTY : payload;
    }

    /** A {@code MSG_HELLO} carrying {@code peer_info.version}. */
    public static Message hello(int version) {
        byte[] p = new byte[4];
        LittleEndian.putInt(p, 0, version);
        return new Message(MessageType.HELLO, p);
    }

    /** An empty data message: end of that stream. */
    public static Message eof(int dataType) {
        return new Message(dataType, EMPTY);
    }

    /** A {@code MSG_DATA_EXIT_CODE} with this status. */
    public static Message exitCode(int status) {
        return new Message(MessageType.DATA_EXIT_CODE, ExitStatus.encode(status));
    }

    /** A data message with a copy of {@code b[off, off+len)}. */
    public static Message data(int dataType, byte[] b, int off, int len) {
        return new Message(dataType, Arrays.copyOfRange(b, off, off + len));
    }

    public int type() {
        return type;
    }

    /** @return the payload itself (not a copy) */
    public byte[] payload() {
        return payload;
    }

    public int length() {
        return payload.length;
    }

    /** @return whether this is an empty data message (EOF of its stream) */
    public boolean isEof() {
        return payload.length == 0 && type != MessageType.DATA_EXIT_CODE && MessageType.isData(type);
    }

    /** @return header and payload as they go on the wire */
    public byte[] encode() {
        byte[] out = new byte[HEADER_SIZE + payload.length];
        writeHeader(out, 0, type, payload.length);
        System.arraycopy(payload, 0, out, HEADER_SIZE, payload.length);
        return out;
    }

    /** Writes header and payload (without flushing). */
    public void writeTo(OutputStream out) throws IOException {
        byte[] header = new byte[HEADER_SIZE];
        writeHeader(header, 0, type, payload.length);
        out.write(header);
        out.write(payload);
    }

    /** Writes a {@code msg_header} at {@code off}. */
    public static void writeHeader(byte[] dst, int off, int type, int length) {
        LittleEndian.putInt(dst, off, type);
        LittleEndian.putInt(dst, off + 4, length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message && ((Message) o).type == type && Arrays.equals(((Message) o).payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return MessageType.name(type) + "[" + payload.length + "]";
    }
}
