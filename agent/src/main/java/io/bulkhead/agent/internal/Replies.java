package io.bulkhead.agent.internal;

import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.Message;
import java.io.IOException;

/**
 * What the agent writes on one call's data stream, starting with its hello. The hello may wait
 * ({@link #deferHello}) to go out in one write with the first message after it: when the
 * caller's whole stdin has already arrived, nothing on the caller's side waits for it, and under
 * TCG every write to the virtio port costs the guest a VM exit and an interrupt (about 0.5 ms).
 * Once the hello is on the stream, writes go straight to it; until then they wait for it.
 */
final class Replies {
    /** The writes of a {@link MuxStream} that replies use (a seam for tests). */
    interface Stream {
        void write(Message m) throws IOException;

        void write(int type, byte[] b, int off, int len) throws IOException;

        /** The messages in one write to the channel. */
        void writeAll(Message... messages) throws IOException;

        /** The messages, then the stream's end, in one write. */
        void finish(Message... last) throws IOException;
    }

    private final Stream stream;
    private final Message hello;
    private volatile boolean helloSent;
    private boolean deferred;

    Replies(MuxStream stream, Message hello) {
        this(new Stream() {
            @Override
            public void write(Message m) throws IOException {
                stream.write(m);
            }

            @Override
            public void write(int type, byte[] b, int off, int len) throws IOException {
                stream.write(type, b, off, len);
            }

            @Override
            public void writeAll(Message... messages) throws IOException {
                stream.writeAll(messages);
            }

            @Override
            public void finish(Message... last) throws IOException {
                stream.finish(last);
            }
        }, hello);
    }

    Replies(Stream stream, Message hello) {
        this.stream = stream;
        this.hello = hello;
    }

    /** The hello waits for the next message; until then nothing must wait for the caller. */
    synchronized void deferHello() {
        if (!helloSent) {
            deferred = true;
        }
    }

    /** Sends the hello now if it has not gone out yet (before anything that waits for the caller). */
    void sendHello() throws IOException {
        if (!helloSent) {
            sendFirst();
        }
    }

    void write(Message m) throws IOException {
        if (!helloSent && sendFirst(m)) {
            return;
        }
        stream.write(m);
    }

    void write(int type, byte[] b, int off, int len) throws IOException {
        if (!helloSent && sendFirst(new Message(type, java.util.Arrays.copyOfRange(b, off, off + len)))) {
            return;
        }
        stream.write(type, b, off, len);
    }

    /** {@link MuxStream#finish} with the hello first if it is still due. */
    void finish(Message... last) throws IOException {
        synchronized (this) {
            if (!helloSent) {
                Message[] all = new Message[last.length + 1];
                all[0] = hello;
                System.arraycopy(last, 0, all, 1, last.length);
                stream.finish(all);
                helloSent = true;
                return;
            }
        }
        stream.finish(last);
    }

    /**
     * Sends the hello, with {@code m} in the same write if the hello was deferred.
     *
     * @return whether {@code m} went out too
     */
    private synchronized boolean sendFirst(Message... m) throws IOException {
        if (helloSent) {
            return false;
        }
        // helloSent only once the hello is on the stream: other writers wait on this monitor till then
        if (m.length == 0 || !deferred) {
            stream.write(hello);
            helloSent = true;
            return false;
        }
        Message[] all = new Message[m.length + 1];
        all[0] = hello;
        System.arraycopy(m, 0, all, 1, m.length);
        stream.writeAll(all);
        helloSent = true;
        return true;
    }
}
