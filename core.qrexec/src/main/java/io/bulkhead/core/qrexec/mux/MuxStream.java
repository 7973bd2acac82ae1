package io.bulkhead.core.qrexec.mux;

import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One multiplexed qrexec connection: a sequence of whole Qubes messages each way, with credit
 * based flow control. Reading returns messages in order and {@code null} once the peer ended its
 * side; writing blocks while the peer has not granted enough credit. Any thread may read or
 * write; a single message is never interleaved with another.
 *
 * <p>Every stream must be {@link #close() closed} by its user: that sends the final RELEASE
 * which makes the id reusable.
 */
public final class MuxStream implements AutoCloseable {

    private final MuxLink link;
    private final int id;
    private final int window;
    private final ArrayDeque<Message> inbox = new ArrayDeque<>();
    /**
     * Held while deciding about and writing a frame of this stream, so frames leave in the order
     * of the state changes (no DATA after END, nothing after RELEASE). Never held while waiting
     * for credit; the monitor of {@code this} (shared with the reader thread) is never held while
     * writing.
     */
    private final Object emit = new Object();
    /** DATA bytes the peer may still send before it needs more credit. */
    private int receivable;
    /** DATA bytes consumed by the user but not yet credited back. */
    private int uncredited;
    /** DATA bytes we may still send. */
    private long sendable;
    private boolean sentEnd;
    private boolean sentAbort;
    private boolean sentRelease;
    /** The ABORT frame went out (guarded by {@link #emit}). */
    private boolean abortWritten;
    /** END or ABORT received: the peer sends no more DATA. */
    private boolean peerEnded;
    /** END received (a clean end, even if an ABORT follows). */
    private boolean peerEndReceived;
    private boolean peerAborted;
    private boolean peerReleased;
    private volatile IOException linkFailure;
    /** {@link System#nanoTime()} when the reader thread last queued a message here (for latency traces). */
    private volatile long lastDeliveryNanos;

    MuxStream(MuxLink link, int id, int window, int peerWindow) {
        this.link = link;
        this.id = id;
        this.window = window;
        this.receivable = window;
        this.sendable = peerWindow;
    }

    /** @return the stream id: 0 for control, else the port announced in control messages */
    public int id() {
        return id;
    }

    public MuxLink link() {
        return link;
    }

    /**
     * @return {@link System#nanoTime()} when the link's reader last queued a message on this
     *         stream (0 if none yet): with {@link #read()} returning that message, the time it
     *         waited between the reader thread and the caller
     */
    public long lastDeliveryNanos() {
        return lastDeliveryNanos;
    }

    /** @return whether the peer aborted: it reads nothing more from this stream */
    public synchronized boolean isAbortedByPeer() {
        return peerAborted;
    }

    // ---- user side ------------------------------------------------------------------------------

    /**
     * @return the next message, or {@code null} once the peer ended its side and all its
     *         messages were read
     * @throws IOException if the peer aborted the stream or the link closed
     */
    public Message read() throws IOException {
        return read(0);
    }

    /**
     * Like {@link #read()} with a time limit.
     *
     * @param timeoutMillis 0 waits forever
     * @throws InterruptedIOException on timeout or interruption
     */
    public Message read(long timeoutMillis) throws IOException {
        Message m;
        int credit = 0;
        synchronized (this) {
            long deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
            while (inbox.isEmpty() && !peerEnded && linkFailure == null && !sentAbort) {
                try {
                    if (deadline == 0) {
                        wait();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new InterruptedIOException(link.name() + ": no message on stream " + id + " within "
                                    + timeoutMillis + " ms");
                        }
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading stream " + id);
                }
            }
            m = inbox.poll();
            if (m == null) {
                if (sentAbort) {
                    throw new IOException(link.name() + ": stream " + id + " was aborted locally");
                }
                if (peerEndReceived) {
                    return null;
                }
                if (peerAborted) {
                    throw new IOException(link.name() + ": stream " + id + " aborted by the peer");
                }
                // a plain IOException: the violation belongs to the link, not to this reader's peer
                throw new IOException(linkFailure.getMessage(), linkFailure);
            }
            uncredited += Message.HEADER_SIZE + m.length();
            // credit back in batches, and not at all once the peer has ended (it will not send more)
            if (!peerEnded && uncredited >= window / 4) {
                credit = uncredited;
                receivable += credit;
                uncredited = 0;
            }
        }
        if (credit > 0) {
            synchronized (emit) {
                synchronized (this) {
                    if (sentRelease || sentAbort || linkFailure != null) {
                        return m; // the stream is being closed: no frame may follow RELEASE
                    }
                }
                try {
                    link.writeControlFrame(id, MuxFrames.CREDIT, credit);
                } catch (IOException e) {
                    // the message itself was received; the broken link shows on the next call
                }
            }
        }
        return m;
    }

    /**
     * Whether the messages already received include one that {@code last} accepts, preceded by
     * at most {@code maxPayloadBytes} bytes of payload: reading up to it will not wait. Lets a
     * reader handle input that arrived whole (a command's short stdin) without a thread.
     */
    public synchronized boolean hasQueuedThrough(Predicate<Message> last, int maxPayloadBytes) {
        long bytes = 0;
        for (Message m : inbox) {
            if (last.test(m)) {
                return true;
            }
            bytes += m.length();
            if (bytes > maxPayloadBytes) {
                return false;
            }
        }
        return false;
    }

    /** Sends one message; blocks until the peer's credit allows it. */
    public void write(Message m) throws IOException {
        write(m.type(), m.payload(), 0, m.length());
    }

    /** Sends one message of {@code type} with payload {@code b[off, off+len)}. */
    public void write(int type, byte[] b, int off, int len) throws IOException {
        takeCredit(len);
        synchronized (emit) {
            synchronized (this) {
                if (sentEnd || sentAbort) {
                    throw new IOException(link.name() + ": stream " + id + " ended locally while writing");
                }
            }
            link.writeData(id, type, b, off, len);
        }
    }

    /**
     * Sends {@code messages} in one write to the channel (under TCG every write to a virtio port
     * costs the guest a VM exit and an interrupt); blocks until the peer's credit allows them.
     */
    public void writeAll(Message... messages) throws IOException {
        int frameBytes = takeCredit(messages);
        synchronized (emit) {
            synchronized (this) {
                if (sentEnd || sentAbort) {
                    throw new IOException(link.name() + ": stream " + id + " ended locally while writing");
                }
            }
            if (linkFailure != null) {
                throw new IOException(linkFailure.getMessage(), linkFailure);
            }
            link.writeBatch(dataFrames(messages, frameBytes, 0));
        }
    }

    /** Takes the credit for {@code messages}, one after the other; returns the bytes of their DATA frames. */
    private int takeCredit(Message[] messages) throws IOException {
        int frameBytes = 0;
        for (Message m : messages) {
            takeCredit(m.length());
            frameBytes += MuxFrames.HEADER_SIZE + Message.HEADER_SIZE + m.length();
        }
        return frameBytes;
    }

    /** {@code messages} as DATA frames of this stream, with room for {@code controlFrames} frames more. */
    private MuxLink.FrameBatch dataFrames(Message[] messages, int frameBytes, int controlFrames) {
        MuxLink.FrameBatch batch = new MuxLink.FrameBatch(frameBytes + controlFrames * MuxFrames.HEADER_SIZE);
        for (Message m : messages) {
            batch.data(id, m.type(), m.payload(), 0, m.length());
        }
        return batch;
    }

    /**
     * Sends {@code last} (one or more messages), then ends and closes the stream: what
     * {@link #write(Message)} for each, {@link #end()} and {@link #close()} send one after the
     * other (including the ABORT when the peer has not ended its side), but in one write to the
     * channel, so the peer gets the stream's end in one piece (a command's last EOF, its exit
     * status and its stream's end; under TCG every write to the virtio port costs the guest a VM
     * exit and an interrupt).
     *
     * @throws IOException as {@link #write(Message)}; {@link #close()} is still due then (it is idempotent)
     */
    public void finish(Message... last) throws IOException {
        int frameBytes = takeCredit(last);
        synchronized (emit) {
            boolean abort;
            boolean removeNow;
            synchronized (this) {
                if (sentEnd || sentAbort) {
                    throw new IOException(link.name() + ": stream " + id + " ended locally while writing");
                }
                sentEnd = true;
                if (!peerEnded) {
                    sentAbort = true;
                    inbox.clear();
                }
                abort = sentAbort;
                sentRelease = true;
                removeNow = peerReleased;
                notifyAll();
            }
            try {
                if (linkFailure != null) {
                    throw new IOException(linkFailure.getMessage(), linkFailure);
                }
                MuxLink.FrameBatch batch = dataFrames(last, frameBytes, 3); // END, ABORT, RELEASE
                batch.control(id, MuxFrames.END);
                if (abort) {
                    abortWritten = true;
                    batch.control(id, MuxFrames.ABORT);
                }
                link.writeBatch(batch.control(id, MuxFrames.RELEASE));
            } finally {
                if (removeNow) {
                    link.remove(this);
                }
            }
        }
    }

    /** Waits until the peer's credit allows a message with {@code len} payload bytes, and takes it. */
    private void takeCredit(int len) throws IOException {
        int frame = Message.HEADER_SIZE + len;
        if (len < 0 || frame > MuxFrames.MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("message payload of " + len + " bytes exceeds the mux frame limit");
        }
        synchronized (this) {
            while (true) {
                if (sentEnd || sentAbort) {
                    throw new IOException(link.name() + ": stream " + id + " already ended locally");
                }
                if (peerAborted) {
                    throw new IOException(link.name() + ": stream " + id + " aborted by the peer");
                }
                if (linkFailure != null) {
                    throw new IOException(linkFailure.getMessage(), linkFailure);
                }
                if (sendable >= frame) {
                    sendable -= frame;
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for credit on stream " + id);
                }
            }
        }
    }

    /** Ends our side (half close): the peer reads {@code null} after our last message. Idempotent. */
    public void end() throws IOException {
        synchronized (emit) {
            synchronized (this) {
                if (sentEnd || sentAbort || linkFailure != null) {
                    return;
                }
                sentEnd = true;
            }
            link.writeControlFrame(id, MuxFrames.END, 0);
        }
    }

    /**
     * Abandons the stream both ways: the peer's writes fail, what it sends meanwhile is
     * discarded, pending reads here fail. Idempotent.
     */
    public void abort() {
        synchronized (this) {
            if (sentAbort || sentRelease || linkFailure != null) {
                return;
            }
            // wake readers and credit waiters at once, before a writer may release the emit lock
            sentAbort = true;
            inbox.clear();
            notifyAll();
        }
        synchronized (emit) {
            writeAbortFrame();
        }
    }

    /** Writes the ABORT frame once; caller holds {@link #emit}. */
    private void writeAbortFrame() {
        if (abortWritten || linkFailure != null) {
            return;
        }
        abortWritten = true;
        try {
            link.writeControlFrame(id, MuxFrames.ABORT, 0);
        } catch (IOException e) {
            // link gone: nothing to tell the peer any more
        }
    }

    /**
     * Finishes with the stream: ends our side if still open, aborts if the peer has not ended
     * its side, then sends RELEASE. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (id == MuxFrames.CONTROL_STREAM) {
            return;
        }
        synchronized (emit) {
            boolean end;
            boolean removeNow;
            synchronized (this) {
                if (sentRelease) {
                    return;
                }
                if (!peerEnded && !sentAbort) {
                    sentAbort = true;
                    inbox.clear();
                }
                end = !sentAbort && !sentEnd;
                sentEnd |= end;
                sentRelease = true;
                removeNow = peerReleased;
                notifyAll();
            }
            if (linkFailure == null) {
                try {
                    if (sentAbort) {
                        writeAbortFrame();
                    } else if (end) {
                        link.writeControlFrame(id, MuxFrames.END, 0);
                    }
                    link.writeControlFrame(id, MuxFrames.RELEASE, 0);
                } catch (IOException e) {
                    // link gone; the stream dies with it
                }
            }
            if (removeNow) {
                link.remove(this);
            }
        }
    }

    // ---- reader thread side ---------------------------------------------------------------------

    synchronized void checkCanReceive(int frameLength) throws ProtocolException {
        if (sentAbort) {
            return;
        }
        if (peerEnded) {
            throw new ProtocolException("DATA on stream " + id + " after the peer ended it");
        }
        if (frameLength > receivable) {
            throw new ProtocolException("peer sent " + frameLength + " bytes on stream " + id + " with only "
                    + receivable + " bytes of credit");
        }
    }

    synchronized void deliver(Message m) {
        lastDeliveryNanos = System.nanoTime();
        if (sentAbort) {
            return;
        }
        receivable -= Message.HEADER_SIZE + m.length();
        inbox.add(m);
        notifyAll();
    }

    synchronized void peerCredit(int increment) throws ProtocolException {
        sendable += increment;
        if (sendable > 2L * MuxFrames.MAX_WINDOW) {
            throw new ProtocolException("peer granted more than " + (2L * MuxFrames.MAX_WINDOW) + " bytes of credit on stream " + id);
        }
        notifyAll();
    }

    synchronized void peerEnd() throws ProtocolException {
        if (peerEnded) {
            throw new ProtocolException((peerAborted ? "END after ABORT" : "second END") + " on stream " + id);
        }
        peerEnded = true;
        peerEndReceived = true;
        notifyAll();
    }

    synchronized void peerAbort() throws ProtocolException {
        if (peerAborted) {
            throw new ProtocolException("second ABORT on stream " + id);
        }
        peerAborted = true;
        peerEnded = true;
        notifyAll();
    }

    /** @return whether the stream can be forgotten (we released it too) */
    synchronized boolean peerRelease() throws ProtocolException {
        if (peerReleased) {
            throw new ProtocolException("second RELEASE on stream " + id);
        }
        if (!peerEnded) {
            throw new ProtocolException("RELEASE on stream " + id + " before END or ABORT");
        }
        peerReleased = true;
        notifyAll();
        return sentRelease;
    }

    synchronized void linkClosed(IOException cause) {
        linkFailure = cause;
        notifyAll();
    }

    @Override
    public String toString() {
        return link.name() + "#" + id;
    }
}
