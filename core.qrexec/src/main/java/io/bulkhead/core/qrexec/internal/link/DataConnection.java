package io.bulkhead.core.qrexec.internal.link;

import io.bulkhead.core.qrexec.protocol.Message;
import java.io.IOException;

/**
 * One data connection of a call, between dom0 and an agent: a mux stream, or a vchan (one unix
 * socket per call). It carries whole Qubes messages each way. One thread reads; writes of whole
 * messages may come from several threads and are never interleaved.
 *
 * <p>Every connection must be {@link #close() closed} by its user.
 */
public interface DataConnection extends AutoCloseable {

    /** @return the port announced to the agent in {@code connect_port} */
    int port();

    /**
     * Records that the control message naming {@link #port()} went out: from now on only the agent
     * frees the port ({@code MSG_CONNECTION_TERMINATED}); before, closing frees it at once.
     */
    void markAnnounced();

    /**
     * Whether messages may be written before the control message announcing {@link #port()}:
     * true for a mux stream (the agent takes frames of a stream it has not claimed yet), false
     * for a vchan (it is connected only once the agent has heard of it).
     */
    default boolean isOpenBeforeAnnounce() {
        return false;
    }

    /**
     * @return the next message, or {@code null} once the peer ended its side and all its messages
     *         were read
     * @throws io.bulkhead.core.qrexec.protocol.ProtocolException if the peer sent a header no
     *         message type allows
     * @throws IOException if the connection broke, was aborted, or could not be established
     */
    Message read() throws IOException;

    /**
     * Like {@link #read()} with a time limit (used for the first message of a connection).
     *
     * @param timeoutMillis 0 waits forever
     * @throws java.io.InterruptedIOException on timeout or interruption
     */
    Message read(long timeoutMillis) throws IOException;

    /** Sends one message. */
    default void write(Message m) throws IOException {
        write(m.type(), m.payload(), 0, m.length());
    }

    /** Sends one message of {@code type} with payload {@code b[off, off+len)}. */
    void write(int type, byte[] b, int off, int len) throws IOException;

    /** We send nothing more (the peer reads {@code null} after our last message where the medium can say so). Idempotent. */
    void end() throws IOException;

    /** Abandons the connection both ways: pending reads fail, the peer sees the connection broken. Idempotent. */
    void abort();

    /** @return whether the peer stopped reading (it aborted or closed the connection) */
    boolean isAbortedByPeer();

    /** The peer broke the protocol on this connection: closes the whole link of its qube, logging {@code reason}. */
    void failLink(String reason);

    /** Finishes with the connection (ends, aborts if the peer has not ended). Idempotent; never throws. */
    @Override
    void close();
}
