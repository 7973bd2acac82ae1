package io.bulkhead.core.qrexec.internal.link;

import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.Message;
import java.io.IOException;

/** A {@link DataConnection} that is one stream of a mux link; its id is the announced port. */
final class MuxDataConnection implements DataConnection {
    private final MuxStream stream;

    MuxDataConnection(MuxStream stream) {
        this.stream = stream;
    }

    @Override
    public int port() {
        return stream.id();
    }

    /** The mux frees ids by RELEASE frames both ways, whether or not the agent heard of the stream. */
    @Override
    public void markAnnounced() {
    }

    /** The agent's link creates the stream on its first frame (see {@code MuxLink.stream}). */
    @Override
    public boolean isOpenBeforeAnnounce() {
        return true;
    }

    @Override
    public Message read() throws IOException {
        return stream.read();
    }

    @Override
    public Message read(long timeoutMillis) throws IOException {
        return stream.read(timeoutMillis);
    }

    @Override
    public void write(Message m) throws IOException {
        stream.write(m);
    }

    @Override
    public void write(int type, byte[] b, int off, int len) throws IOException {
        stream.write(type, b, off, len);
    }

    @Override
    public void end() throws IOException {
        stream.end();
    }

    @Override
    public void abort() {
        stream.abort();
    }

    @Override
    public boolean isAbortedByPeer() {
        return stream.isAbortedByPeer();
    }

    @Override
    public void failLink(String reason) {
        stream.link().fail(reason);
    }

    @Override
    public void close() {
        stream.close();
    }

    @Override
    public String toString() {
        return stream.toString();
    }
}
