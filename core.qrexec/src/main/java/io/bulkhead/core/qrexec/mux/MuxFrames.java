package io.bulkhead.core.qrexec.mux;

import io.bulkhead.core.qrexec.protocol.Message;
import java.nio.charset.StandardCharsets;

/**
 * Wire constants of the multiplexing layer (see docs/qrexec.md).
 *
 * <pre>
 * preamble (16 bytes, each side once): "BHQRXMUX" | uint32 version (1) | uint32 receive window
 * frame header (12 bytes):             uint32 stream | uint8 kind | uint8 flags (0) | uint16 reserved (0) | uint32 length
 * </pre>
 * All integers little-endian. Kinds: DATA carries exactly one whole Qubes message (its 8-byte
 * header and payload, unchanged); CREDIT (length 4) grants that many more DATA bytes; END (0)
 * ends the sender's data; ABORT (0) ends it and says the sender discards what it receives;
 * RELEASE (0) is the sender's last frame on that stream. A stream id is free again once
 * RELEASE went both ways.
 */
public final class MuxFrames {

    static final byte[] MAGIC = "BHQRXMUX".getBytes(StandardCharsets.US_ASCII);
    /** Mux protocol version this implementation speaks. */
    public static final int VERSION = 1;
    public static final int PREAMBLE_SIZE = 16;
    public static final int HEADER_SIZE = 12;

    public static final int DATA = 0;
    public static final int CREDIT = 1;
    public static final int END = 2;
    public static final int ABORT = 3;
    public static final int RELEASE = 4;

    /** The control connection's stream. */
    public static final int CONTROL_STREAM = 0;
    /** Highest data stream id. */
    public static final int MAX_STREAM_ID = 0xFFFF;
    /** Largest DATA frame payload: a Qubes message header plus the largest Qubes payload. */
    public static final int MAX_DATA_LENGTH = Message.HEADER_SIZE + Message.MAX_PAYLOAD;
    /** Largest receive window a peer may announce. */
    public static final int MAX_WINDOW = 64 << 20;

    private MuxFrames() {
    }

    static String kindName(int kind) {
        switch (kind) {
            case DATA: return "DATA";
            case CREDIT: return "CREDIT";
            case END: return "END";
            case ABORT: return "ABORT";
            case RELEASE: return "RELEASE";
            default: return "kind " + kind;
        }
    }
}
