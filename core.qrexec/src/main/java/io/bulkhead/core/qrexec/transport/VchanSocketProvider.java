package io.bulkhead.core.qrexec.transport;

import java.util.Optional;

/**
 * Marks qubes whose agent is an unmodified Qubes qrexec-agent speaking libvchan-socket: a
 * control vchan on port 512 served by the agent, and one vchan (one unix socket) per call on
 * ports 513..768. Registered as a DS service (any number), typically by the backend that starts
 * the qube and so knows its socket directory. The daemon asks these providers, in
 * service-ranking order, before the {@link QrexecChannelProvider}s and the hypervisor backend;
 * the first endpoint returned wins.
 */
public interface VchanSocketProvider {

    /** @return the qube's vchan-socket endpoint, or empty if its agent does not speak libvchan-socket */
    Optional<VchanSocketEndpoint> vchanSocket(String qube);
}
