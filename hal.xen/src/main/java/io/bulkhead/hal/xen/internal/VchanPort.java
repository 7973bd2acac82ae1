package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.ChannelSpec;
import java.util.Optional;

/**
 * Where a named channel lives as a Qubes vchan, and which side dom0 takes.
 *
 * <p>Facts (Qubes qrexec and QubesDB): the qrexec control channel is vchan port 512, the agent
 * in the qube is the server and dom0's daemon connects as client; QubesDB is port 111 with dom0
 * as server (4 KiB rings) and the qube's daemon as client. A client finds the server under
 * {@code /local/domain/<server>/data/vchan/<client>/<port>}; a server writes that path relative
 * to its own xenstore home ({@code data/vchan/<client>/<port>}).
 *
 * @param port      vchan port
 * @param dom0IsServer whether dom0 creates the vchan (else it connects to the qube's)
 * @param ringSize  ring size dom0 asks for when it is the server
 */
record VchanPort(int port, boolean dom0IsServer, int ringSize) {

    static final VchanPort QREXEC = new VchanPort(512, false, 0);
    static final VchanPort QUBESDB = new VchanPort(111, true, 4096);

    /** @return the vchan of a {@link ChannelSpec} name, if this backend knows it */
    static Optional<VchanPort> forChannel(String channelName) {
        return switch (channelName) {
            case ChannelSpec.QREXEC -> Optional.of(QREXEC);
            case ChannelSpec.QUBESDB -> Optional.of(QUBESDB);
            default -> Optional.empty();
        };
    }

    /** @return the xenstore path dom0 passes to libxenvchan for a qube with domain id {@code domid} */
    String xenstorePath(int domid) {
        return dom0IsServer ? "data/vchan/" + domid + "/" + port : "/local/domain/" + domid + "/data/vchan/0/" + port;
    }
}
