package io.bulkhead.core.qrexec.internal.link;

import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import io.bulkhead.core.qrexec.transport.QrexecChannel;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link AgentLink} over one multiplexed byte channel (docs/qrexec.md section 2): stream 0 is
 * the control connection, every data connection is a stream whose id is the announced port.
 */
public final class MuxAgentLink implements AgentLink {
    private final MuxLink link;

    private MuxAgentLink(MuxLink link) {
        this.link = link;
    }

    /**
     * Exchanges the mux preambles as the host and starts the link's reader. Closes the channel
     * on failure.
     */
    public static MuxAgentLink open(QrexecChannel channel, MuxConfig config, String qube) throws IOException {
        MuxLink link = MuxLink.open(channel, MuxLink.Role.HOST, config, qube);
        link.start();
        return new MuxAgentLink(link);
    }

    @Override
    public String name() {
        return link.name();
    }

    @Override
    public Message readControl() throws IOException {
        return link.control().read();
    }

    @Override
    public Message readControl(long timeoutMillis) throws IOException {
        return link.control().read(timeoutMillis);
    }

    @Override
    public void writeControl(Message m) throws IOException {
        link.control().write(m);
    }

    /** Our own version (both sides use the minimum either way; Qubes' daemon echoes the agent's). */
    @Override
    public Message helloAnswer(Message agentHello) {
        return Message.hello(ProtocolVersion.CURRENT);
    }

    @Override
    public int announcedDomain(int farEndDomainId) {
        return farEndDomainId;
    }

    @Override
    public DataConnection openExecConnection() throws IOException {
        return new MuxDataConnection(link.openStream());
    }

    @Override
    public DataConnection openCallerConnection() throws IOException {
        return new MuxDataConnection(link.openStream());
    }

    /** Stream ids are freed by the mux RELEASE frames; the message only has to name a possible id. */
    @Override
    public void connectionTerminated(ExecParams params) throws ProtocolException {
        if (params.connectPort() < 1 || params.connectPort() > 0xFFFF) {
            throw new ProtocolException("MSG_CONNECTION_TERMINATED for invalid port "
                    + Integer.toUnsignedString(params.connectPort()));
        }
    }

    @Override
    public boolean isOpen() {
        return link.isOpen();
    }

    @Override
    public CompletableFuture<Void> closedFuture() {
        return link.closedFuture();
    }

    @Override
    public long writeStallNanos() {
        return link.writeStallNanos();
    }

    @Override
    public void fail(String reason) {
        link.fail(reason);
    }

    @Override
    public void close() {
        link.close();
    }

    @Override
    public String toString() {
        return "mux link " + link.name();
    }
}
