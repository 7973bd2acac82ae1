package io.bulkhead.hal.xen.internal;

import java.io.IOException;

/**
 * One end of a vchan, non-blocking. Not thread-safe: {@link VchanDomainChannel} serialises the
 * calls and turns them into blocking streams. Implemented over libxenvchan by
 * {@link XenVchanEndpoint}; tests use an in-memory one.
 */
interface VchanEndpoint {

    /** Connection state of the vchan. */
    enum Status {
        /** Server side, no client has connected yet. */
        WAITING_FOR_PEER,
        /** Both sides are open. */
        OPEN,
        /** The peer closed its end or went away (its data may still be readable). */
        CLOSED
    }

    /** @return bytes read into {@code buffer}, 0 if none is available, -1 if none is left and the peer closed */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /**
     * @return bytes written from {@code buffer}, 0 if the ring is full
     * @throws IOException if the peer has closed
     */
    int write(byte[] buffer, int offset, int length) throws IOException;

    /** @return bytes that can be read right now */
    int available() throws IOException;

    Status status();

    /**
     * Waits until the peer signals something (data, space, close) or the time is up. Does not
     * consume the signal: the caller calls {@link #acknowledge()} under its I/O lock.
     *
     * @return whether a signal is pending
     */
    boolean awaitNotification(int timeoutMillis) throws IOException;

    /** Consumes a pending signal, if any; never blocks. */
    void acknowledge() throws IOException;

    /** Releases the vchan; the peer sees it closed. */
    void close();
}
