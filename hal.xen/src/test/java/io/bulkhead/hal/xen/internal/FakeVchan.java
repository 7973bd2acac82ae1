package io.bulkhead.hal.xen.internal;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Test fixture: an in-memory vchan with small bounded rings and one notification flag per side,
 * shaped like libxenvchan's non-blocking interface. The test drives the guest side.
 */
final class FakeVchan implements VchanEndpoint {

    private final Object lock = new Object();
    private final int capacity;
    private final ArrayDeque<Byte> toHost = new ArrayDeque<>();
    private final ArrayDeque<Byte> toGuest = new ArrayDeque<>();
    private boolean hostSignal;
    private boolean guestConnected;
    private boolean guestClosed;
    private boolean hostClosed;
    private int waiting;
    private int mostWaiting;

    FakeVchan(int capacity, boolean guestConnected) {
        this.capacity = capacity;
        this.guestConnected = guestConnected;
    }

    // ---- host side: the endpoint ----

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        synchronized (lock) {
            requireHostOpen();
            int n = Math.min(length, toHost.size());
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = toHost.poll();
            }
            if (n > 0) {
                lock.notifyAll();
                return n;
            }
            return guestClosed ? -1 : 0;
        }
    }

    @Override
    public int write(byte[] buffer, int offset, int length) throws IOException {
        synchronized (lock) {
            requireHostOpen();
            if (guestClosed) {
                throw new IOException("the peer closed the vchan");
            }
            int n = Math.min(length, capacity - toGuest.size());
            for (int i = 0; i < n; i++) {
                toGuest.add(buffer[offset + i]);
            }
            lock.notifyAll();
            return n;
        }
    }

    @Override
    public int available() {
        synchronized (lock) {
            return toHost.size();
        }
    }

    @Override
    public Status status() {
        synchronized (lock) {
            if (hostClosed || guestClosed) {
                return Status.CLOSED;
            }
            return guestConnected ? Status.OPEN : Status.WAITING_FOR_PEER;
        }
    }

    @Override
    public boolean awaitNotification(int timeoutMillis) throws IOException {
        synchronized (lock) {
            waiting++;
            mostWaiting = Math.max(mostWaiting, waiting);
            try {
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                while (!hostSignal && !hostClosed) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        break;
                    }
                    lock.wait(left);
                }
                return hostSignal;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiting--;
            }
        }
    }

    @Override
    public void acknowledge() {
        synchronized (lock) {
            hostSignal = false;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            hostClosed = true;
            lock.notifyAll();
        }
    }

    private void requireHostOpen() throws IOException {
        if (hostClosed) {
            throw new IOException("vchan closed");
        }
    }

    // ---- guest side: driven by the test ----

    void guestConnect() {
        synchronized (lock) {
            guestConnected = true;
            signalHost();
        }
    }

    /** Writes everything, waiting for ring space like a blocking guest. */
    void guestWrite(byte[] data) throws InterruptedException {
        int done = 0;
        synchronized (lock) {
            while (done < data.length) {
                while (toHost.size() >= capacity) {
                    lock.wait();
                }
                while (done < data.length && toHost.size() < capacity) {
                    toHost.add(data[done++]);
                }
                signalHost();
            }
        }
    }

    /** Reads up to {@code max} bytes, waiting for at least one. */
    byte[] guestRead(int max) throws InterruptedException {
        synchronized (lock) {
            while (toGuest.isEmpty()) {
                lock.wait();
            }
            int n = Math.min(max, toGuest.size());
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = toGuest.poll();
            }
            signalHost(); // space freed
            return out;
        }
    }

    void guestClose() {
        synchronized (lock) {
            guestClosed = true;
            signalHost();
        }
    }

    boolean hostClosed() {
        synchronized (lock) {
            return hostClosed;
        }
    }

    /** @return the most host threads ever waiting for a notification at once */
    int mostConcurrentWaiters() {
        synchronized (lock) {
            return mostWaiting;
        }
    }

    private void signalHost() {
        hostSignal = true;
        lock.notifyAll();
    }
}
