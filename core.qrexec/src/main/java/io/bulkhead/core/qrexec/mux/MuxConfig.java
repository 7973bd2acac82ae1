package io.bulkhead.core.qrexec.mux;

/**
 * Tunables of one link end.
 *
 * @param receiveWindow      bytes of DATA frames the peer may send per stream before it gets
 *                           credit back (announced in the preamble); at least {@link MuxFrames#MAX_DATA_LENGTH}
 * @param maxStreams         data streams open at once on this link (the host refuses more, the
 *                           guest closes a host that opens more)
 * @param preambleScanLimit  bytes skipped at most while looking for the peer's preamble (stale
 *                           bytes of an earlier session on a virtio-serial port)
 */
public record MuxConfig(int receiveWindow, int maxStreams, int preambleScanLimit) {

    /** 256 KiB windows, 256 streams (Qubes' per-daemon port limit), 1 MiB scan limit. */
    public static final MuxConfig DEFAULT = new MuxConfig(256 * 1024, 256, 1 << 20);

    public MuxConfig {
        if (receiveWindow < MuxFrames.MAX_DATA_LENGTH || receiveWindow > MuxFrames.MAX_WINDOW) {
            throw new IllegalArgumentException("receiveWindow must be within " + MuxFrames.MAX_DATA_LENGTH + ".."
                    + MuxFrames.MAX_WINDOW + ", got " + receiveWindow);
        }
        if (maxStreams < 1 || maxStreams > MuxFrames.MAX_STREAM_ID) {
            throw new IllegalArgumentException("maxStreams must be within 1.." + MuxFrames.MAX_STREAM_ID + ", got " + maxStreams);
        }
        if (preambleScanLimit < MuxFrames.PREAMBLE_SIZE) {
            throw new IllegalArgumentException("preambleScanLimit too small: " + preambleScanLimit);
        }
    }
}
