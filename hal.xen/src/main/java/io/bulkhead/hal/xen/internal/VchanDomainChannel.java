package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.DomainChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The host end of a qube channel carried by a vchan, as blocking streams for one reader and one
 * writer thread.
 *
 * <p>A vchan has a single notification source for both directions, and consuming a notification
 * is destructive. So at most one thread waits on it at a time (the "pump"); the other waits on
 * a monitor that the pump signals after every wait, successful or timed out, and then retries
 * its read or write. Every endpoint call holds the I/O lock; waiting holds only the read side of
 * the life-time lock, so {@link #close()} waits at most one {@link #SLICE_MILLIS}.
 */
final class VchanDomainChannel implements DomainChannel {

    /** Longest single wait for a notification; bounds latency if a signal is consumed by the other thread. */
    static final int SLICE_MILLIS = 100;

    private final String domain;
    private final String channelName;
    private final VchanEndpoint endpoint;
    private final Runnable onClose;
    private final ReentrantLock io = new ReentrantLock();
    private final ReentrantReadWriteLock lifetime = new ReentrantReadWriteLock();
    private final Object events = new Object();
    private long eventCount;
    private boolean pumping;
    private volatile boolean closed;
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    VchanDomainChannel(String domain, String channelName, VchanEndpoint endpoint, Runnable onClose) {
        this.domain = domain;
        this.channelName = channelName;
        this.endpoint = endpoint;
        this.onClose = onClose;
    }

    @Override
    public String domain() {
        return domain;
    }

    @Override
    public String channelName() {
        return channelName;
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        lifetime.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            endpoint.close();
        } finally {
            lifetime.writeLock().unlock();
        }
        synchronized (events) {
            events.notifyAll();
        }
        onClose.run();
    }

    private long eventCount() {
        synchronized (events) {
            return eventCount;
        }
    }

    /** Waits for the next signal from the peer (or one slice), whoever consumes it. */
    private void awaitChange(long seen) throws IOException {
        synchronized (events) {
            if (eventCount != seen || closed) {
                return;
            }
            if (pumping) {
                try {
                    events.wait(SLICE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting on channel " + channelName + " of " + domain);
                }
                return;
            }
            pumping = true;
        }
        try {
            lifetime.readLock().lock();
            try {
                if (!closed && endpoint.awaitNotification(SLICE_MILLIS)) {
                    io.lock();
                    try {
                        endpoint.acknowledge();
                    } finally {
                        io.unlock();
                    }
                }
            } finally {
                lifetime.readLock().unlock();
            }
        } finally {
            synchronized (events) {
                pumping = false;
                eventCount++;
                events.notifyAll();
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted waiting on channel " + channelName + " of " + domain);
        }
    }

    private IOException closedException() {
        return new IOException("channel " + channelName + " of domain " + domain + " is closed");
    }

    private final class Input extends InputStream {

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            if (length == 0) {
                return 0;
            }
            while (true) {
                long seen = eventCount();
                lifetime.readLock().lock();
                try {
                    if (closed) {
                        throw closedException();
                    }
                    io.lock();
                    try {
                        int n = endpoint.read(buffer, offset, length);
                        if (n != 0) {
                            return n;
                        }
                        if (endpoint.status() == VchanEndpoint.Status.CLOSED && endpoint.available() == 0) {
                            return -1;
                        }
                    } finally {
                        io.unlock();
                    }
                } finally {
                    lifetime.readLock().unlock();
                }
                awaitChange(seen);
            }
        }

        @Override
        public int available() throws IOException {
            lifetime.readLock().lock();
            try {
                if (closed) {
                    return 0;
                }
                io.lock();
                try {
                    return endpoint.available();
                } finally {
                    io.unlock();
                }
            } finally {
                lifetime.readLock().unlock();
            }
        }

        @Override
        public void close() {
            VchanDomainChannel.this.close();
        }
    }

    private final class Output extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            int done = 0;
            while (done < length) {
                long seen = eventCount();
                lifetime.readLock().lock();
                try {
                    if (closed) {
                        throw closedException();
                    }
                    io.lock();
                    try {
                        if (endpoint.status() == VchanEndpoint.Status.CLOSED) {
                            throw new IOException("channel " + channelName + " of domain " + domain
                                    + ": the guest closed its end");
                        }
                        done += endpoint.write(buffer, offset + done, length - done);
                    } finally {
                        io.unlock();
                    }
                } finally {
                    lifetime.readLock().unlock();
                }
                if (done < length) {
                    awaitChange(seen);
                }
            }
        }

        /** Bytes are in the ring as soon as write returns; nothing is buffered here. */
        @Override
        public void flush() throws IOException {
            if (closed) {
                throw closedException();
            }
        }

        @Override
        public void close() {
            VchanDomainChannel.this.close();
        }
    }
}
