package io.bulkhead.core.qrexec.transport;

import java.io.IOException;
import java.util.Optional;

/**
 * Opens the qrexec channel of a running qube. Registered as a DS service (any number); the
 * daemon asks them in service-ranking order and falls back to the hypervisor backend's
 * {@code openQrexecChannel}. A provider serves the qubes it knows (for example agents run as
 * local processes) and returns empty for the others.
 */
public interface QrexecChannelProvider {

    /**
     * @return a new channel to the agent of {@code qube}, or empty if this provider does not serve it
     * @throws IOException if it serves the qube but cannot connect
     */
    Optional<QrexecChannel> open(String qube) throws IOException;
}
