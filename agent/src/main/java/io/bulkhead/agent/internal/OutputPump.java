package io.bulkhead.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Copies one output of a process (or a socket) to where it goes, each read as one write, then
 * its end, except for the output that ends last among those sharing {@link Target#openOutputs}:
 * its end is left to the caller, who sends it with the exit status.
 *
 * <p>It may start reading before it knows where the output goes ({@link #attach}): a warm
 * shell's stderr pump waits in {@code read()} from the shell's spawn on, so no thread has to be
 * woken on a command's path (under TCG each wake-up costs 0.3-0.7 ms).
 */
final class OutputPump implements Runnable {
    /**
     * First read buffer; it grows to the target's chunk once a read fills it. Most commands print
     * little, and under TCG zeroing 64 KiB buffers per stream per command showed as young
     * collections every few commands.
     */
    private static final int INITIAL_BUFFER = 4096;

    /** Receives the output. */
    interface Sink {
        void data(byte[] b, int off, int len) throws IOException;

        /** The output ended. */
        void end() throws IOException;
    }

    /**
     * @param chunk       largest write ({@code >=} {@value #INITIAL_BUFFER})
     * @param openOutputs outputs of the process still open, shared by their pumps; the pump that
     *                    ends last leaves its end to the caller; {@code null}: always send it
     * @param timing      marks when data was read and sent, or {@code null}
     */
    record Target(Sink sink, int chunk, AtomicInteger openOutputs, Timing timing) {
    }

    private final InputStream from;
    private final CompletableFuture<Boolean> endedLast = new CompletableFuture<>();
    private Target target;
    private boolean abandoned;

    OutputPump(InputStream from) {
        this.from = from;
    }

    /** Where the output goes; what was read before waits for this. */
    synchronized void attach(Target t) {
        target = t;
        notifyAll();
    }

    /** Nothing will be attached (a warm shell discarded): the pump drops its input to the end. */
    synchronized void abandon() {
        abandoned = true;
        notifyAll();
    }

    /** Completes once the output ended and was sent: {@code true} if its end was left to the caller. */
    CompletableFuture<Boolean> endedLast() {
        return endedLast;
    }

    @Override
    public void run() {
        try {
            endedLast.complete(copy());
        } catch (IOException | RuntimeException e) {
            endedLast.completeExceptionally(e);
        }
    }

    /**
     * Runs the pump on this thread.
     *
     * @return whether its end was left to the caller (as {@link #endedLast})
     */
    boolean runHere() throws IOException {
        try {
            boolean last = copy();
            endedLast.complete(last);
            return last;
        } catch (IOException | RuntimeException e) {
            endedLast.completeExceptionally(e);
            throw e;
        }
    }

    private boolean copy() throws IOException {
        byte[] buf = new byte[INITIAL_BUFFER];
        Target t;
        try (from) {
            int n = from.read(buf);
            t = awaitTarget();
            if (t == null) {
                while (n >= 0) {
                    n = from.read(buf);
                }
                return false;
            }
            while (n >= 0) {
                if (n > 0) {
                    Timing.mark(t.timing(), "read");
                    t.sink().data(buf, 0, n);
                    Timing.mark(t.timing(), "sent");
                }
                if (n == buf.length && buf.length < t.chunk()) {
                    buf = new byte[t.chunk()];
                }
                n = from.read(buf);
            }
        }
        if (t.openOutputs() != null && t.openOutputs().decrementAndGet() == 0) {
            return true;
        }
        t.sink().end();
        return false;
    }

    private synchronized Target awaitTarget() throws InterruptedIOException {
        while (target == null && !abandoned) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the output's destination");
            }
        }
        return target;
    }
}
