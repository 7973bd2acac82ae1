package io.bulkhead.core.domains;

import java.time.Duration;

/**
 * Tells when the qrexec agent of a freshly started qube has connected (its hello arrived). The
 * qrexec bundle provides it as a DS service; core.domains waits on it for {@code qrexec_timeout}
 * seconds during start, keeping the qube {@link PowerState#TRANSIENT} meanwhile. Without such a
 * service, start does not wait (and logs that it did not).
 */
public interface AgentReadiness {

    /**
     * Blocks until the agent of {@code qube} is connected or {@code timeout} elapses.
     *
     * @return {@code true} if the agent is connected
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitAgent(String qube, Duration timeout) throws InterruptedException;
}
