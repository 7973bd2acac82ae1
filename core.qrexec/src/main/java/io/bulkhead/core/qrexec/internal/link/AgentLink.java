package io.bulkhead.core.qrexec.internal.link;

import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * dom0's link to one qube's agent, whatever carries it: the control connection (Qubes' control
 * vchan, port 512) and the data connections of calls. Implemented over the multiplexed channel
 * ({@link MuxAgentLink}) and over libvchan-socket sockets (the vchan package).
 */
public interface AgentLink {

    /** @return a short name for log lines (the qube) */
    String name();

    /**
     * @return the next control message from the agent, or {@code null} when it closed the
     *         control connection
     * @throws io.bulkhead.core.qrexec.protocol.ProtocolException for a header no message type allows
     */
    Message readControl() throws IOException;

    /** Like {@link #readControl()} with a time limit (the agent's hello); on timeout the link is unusable. */
    Message readControl(long timeoutMillis) throws IOException;

    /** Sends a control message to the agent. */
    void writeControl(Message m) throws IOException;

    /** @return dom0's answer to the agent's control hello (already checked) */
    Message helloAnswer(Message agentHello);

    /**
     * @param farEndDomainId the domain id of the qube (or 0 for dom0) at the far end of a call
     * @return the {@code connect_domain} to announce to this agent for that call's data connection
     */
    int announcedDomain(int farEndDomainId);

    /**
     * A data connection for a command or service this agent runs ({@code MSG_EXEC_CMDLINE},
     * {@code MSG_JUST_EXEC}): dom0 is the calling side.
     *
     * @throws IOException if no port is free or the link is closed
     */
    DataConnection openExecConnection() throws IOException;

    /**
     * A data connection for a call this agent's client made ({@code MSG_SERVICE_CONNECT}): dom0
     * is the service side, or relays to it.
     *
     * @throws IOException if no port is free or the link is closed
     */
    DataConnection openCallerConnection() throws IOException;

    /**
     * The agent reported a data connection finished ({@code MSG_CONNECTION_TERMINATED}).
     *
     * @throws ProtocolException if the port can never have been allocated on this link
     */
    void connectionTerminated(ExecParams params) throws ProtocolException;

    boolean isOpen();

    /** @return completes when the link is closed, normally or by failure */
    CompletableFuture<Void> closedFuture();

    /** @return how long the control write in progress has been blocked, 0 if none is */
    long writeStallNanos();

    /** Closes the link because the agent misbehaved; logs {@code reason} once as a warning. */
    void fail(String reason);

    /** Closes the link and every data connection on it. Idempotent. */
    void close();
}
