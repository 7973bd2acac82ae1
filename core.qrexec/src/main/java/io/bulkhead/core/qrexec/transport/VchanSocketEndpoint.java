package io.bulkhead.core.qrexec.transport;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where dom0 meets an unmodified Qubes qrexec-agent built against libvchan-socket
 * (qubes-core-vchan-socket): the agent's {@code VCHAN_SOCKET_DIR} and {@code VCHAN_DOMAIN}.
 *
 * <p>The directory should be the qube's own: only that qube and dom0 may write to it. A
 * libvchan-socket server removes whatever file has its socket's name before it binds, so a qube
 * sharing a directory with another qube could take over that qube's sockets.
 *
 * @param directory where the {@code vchan.<server>.<client>.<port>.sock} files live
 * @param domainId  the qube's domain id, as its agent knows it ({@code VCHAN_DOMAIN}); dom0 is 0
 */
public record VchanSocketEndpoint(Path directory, int domainId) {

    /** Highest domain id a qube may have (Xen reserves ids from {@code 0x7FF0}). */
    public static final int MAX_DOMAIN_ID = 0x7FEF;

    public VchanSocketEndpoint {
        Objects.requireNonNull(directory, "directory");
        if (domainId < 1 || domainId > MAX_DOMAIN_ID) {
            throw new IllegalArgumentException("vchan domain id " + domainId + " outside 1.." + MAX_DOMAIN_ID
                    + " (0 is dom0)");
        }
    }
}
