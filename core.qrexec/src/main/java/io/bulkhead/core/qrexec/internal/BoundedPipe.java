package io.bulkhead.core.qrexec.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A byte queue between a producer thread (the pump reading a data stream) and a reader. The
 * producer blocks while more than {@code capacity} bytes wait, which in turn stops credit going
 * back to the agent: memory stays bounded and a slow reader slows the remote writer.
 */
final class BoundedPipe {
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final int capacity;
    private int buffered;
    private int headOffset;
    private boolean eof;
    private IOException failure;
    private boolean readerClosed;
    private final InputStream input = new In();

    BoundedPipe(int capacity) {
        this.capacity = capacity;
    }

    InputStream input() {
        return input;
    }

    /** Adds a chunk (ownership passes to the pipe); blocks while the pipe is full. Dropped if the reader closed. */
    synchronized void put(byte[] chunk) throws InterruptedException {
        while (buffered >= capacity && !readerClosed) {
            wait();
        }
        if (readerClosed || chunk.length == 0) {
            return;
        }
        chunks.add(chunk);
        buffered += chunk.length;
        notifyAll();
    }

    /** Marks the end: readers get -1 after the buffered bytes. */
    synchronized void finish() {
        eof = true;
        notifyAll();
    }

    /** Marks a failure: readers get it after the buffered bytes. */
    synchronized void fail(IOException e) {
        if (!eof) {
            failure = e;
            eof = true;
            notifyAll();
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            synchronized (BoundedPipe.this) {
                while (chunks.isEmpty() && !eof && !readerClosed) {
                    try {
                        BoundedPipe.this.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException();
                    }
                }
                if (readerClosed) {
                    throw new IOException("stream closed");
                }
                if (chunks.isEmpty()) {
                    if (failure != null) {
                        throw new IOException(failure.getMessage(), failure);
                    }
                    return -1;
                }
                byte[] head = chunks.peek();
                int n = Math.min(len, head.length - headOffset);
                System.arraycopy(head, headOffset, b, off, n);
                headOffset += n;
                if (headOffset == head.length) {
                    chunks.poll();
                    headOffset = 0;
                }
                buffered -= n;
                BoundedPipe.this.notifyAll();
                return n;
            }
        }

        @Override
        public int available() {
            synchronized (BoundedPipe.this) {
                return buffered;
            }
        }

        @Override
        public void close() {
            synchronized (BoundedPipe.this) {
                readerClosed = true;
                chunks.clear();
                buffered = 0;
                BoundedPipe.this.notifyAll();
            }
        }
    }
}
