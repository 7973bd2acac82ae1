package io.bulkhead.core.qrexec.protocol;

/**
 * Protocol versions and what changes with them. 2: R3.0-R4.0 (hello, 4 KiB chunks,
 * {@code TRIGGER_SERVICE}); 3: R4.1-R4.2 (64 KiB chunks, {@code TRIGGER_SERVICE3}); 4: R4.3+
 * ({@code TRIGGER_SERVICE4} with a source field). Both peers use the minimum of the two hellos.
 */
public final class ProtocolVersion {

    public static final int V2 = 2;
    public static final int V3 = 3;
    public static final int V4 = 4;
    /** The version this implementation speaks (Qubes' {@code QREXEC_PROTOCOL_VERSION}). */
    public static final int CURRENT = V4;
    /** Lowest version accepted from an agent on the control link and on a data link. */
    public static final int MINIMUM = V2;
    /** Data chunk limit for version 2. */
    public static final int MAX_DATA_CHUNK_V2 = 4096;
    /** Data chunk limit for version 3 and later. */
    public static final int MAX_DATA_CHUNK_V3 = 65536;

    private ProtocolVersion() {
    }

    /**
     * @return the version both peers use: the minimum of ours and the peer's
     * @throws ProtocolException if that is below {@link #MINIMUM}
     */
    public static int negotiate(int own, int peer) throws ProtocolException {
        // the peer's value is an untrusted uint32: compare unsigned so 0xffffffff is "huge", not -1
        int version = Integer.compareUnsigned(peer, own) < 0 ? peer : own;
        if (version < MINIMUM) {
            throw new ProtocolException("incompatible qrexec protocol version " + Integer.toUnsignedString(peer)
                    + " (minimum " + MINIMUM + ", ours " + own + ")");
        }
        return version;
    }

    /** @return the largest data payload allowed at this negotiated version */
    public static int maxDataChunk(int version) {
        return version >= V3 ? MAX_DATA_CHUNK_V3 : MAX_DATA_CHUNK_V2;
    }
}
