package io.bulkhead.hal.xen.internal;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;

/**
 * A vchan end over libxenvchan. Reads and writes go through one native buffer each; waiting
 * polls the vchan's event descriptor with a timeout (never the blocking
 * {@code libxenvchan_wait} alone), so that closing is never stuck behind a waiting thread.
 */
final class XenVchanEndpoint implements VchanEndpoint {

    private static final int BUFFER = 65536;
    /**
     * Offset of the int holding the {@code is_server:1, server_persist:1, blocking:1} bit-fields
     * in the public {@code struct libxenvchan} (after three pointers and the uint32 event port;
     * checked with gcc on x86-64 against Xen 4.17's libxenvchan.h), and the {@code blocking} bit.
     */
    private static final long FLAGS_OFFSET = 28;
    private static final int BLOCKING_BIT = 1 << 2;

    private final LibXenVchan vchan;
    private final LibC libc;
    private final Pointer ctrl;
    private final int eventFd;
    private final Memory readBuffer = new Memory(BUFFER);
    private final Memory writeBuffer = new Memory(BUFFER);
    private final Memory pollFd = new Memory(LibC.POLLFD_SIZE);
    private boolean closed;

    XenVchanEndpoint(LibXenVchan vchan, LibC libc, Pointer ctrl) {
        this.vchan = vchan;
        this.libc = libc;
        this.ctrl = ctrl;
        // libxenvchan's init functions leave `blocking` uninitialised (callers such as Qubes'
        // libvchan set it); this endpoint relies on non-blocking read and write
        ctrl.setInt(FLAGS_OFFSET, ctrl.getInt(FLAGS_OFFSET) & ~BLOCKING_BIT);
        this.eventFd = vchan.libxenvchan_fd_for_select(ctrl);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        requireOpen();
        int n = vchan.libxenvchan_read(ctrl, readBuffer, new NativeLong(Math.min(length, BUFFER)));
        if (n < 0) {
            // libxenvchan_read fails only when nothing is left and the peer has closed
            return -1;
        }
        readBuffer.read(0, buffer, offset, n);
        return n;
    }

    @Override
    public int write(byte[] buffer, int offset, int length) throws IOException {
        requireOpen();
        int chunk = Math.min(length, BUFFER);
        writeBuffer.write(0, buffer, offset, chunk);
        int n = vchan.libxenvchan_write(ctrl, writeBuffer, new NativeLong(chunk));
        if (n < 0) {
            throw new IOException("the peer closed the vchan");
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        requireOpen();
        return Math.max(0, vchan.libxenvchan_data_ready(ctrl));
    }

    @Override
    public Status status() {
        if (closed) {
            return Status.CLOSED;
        }
        return switch (vchan.libxenvchan_is_open(ctrl)) {
            case 1 -> Status.OPEN;
            case 2 -> Status.WAITING_FOR_PEER;
            default -> Status.CLOSED;
        };
    }

    @Override
    public boolean awaitNotification(int timeoutMillis) throws IOException {
        requireOpen();
        return poll(timeoutMillis);
    }

    @Override
    public void acknowledge() throws IOException {
        requireOpen();
        // only when a signal is pending: libxenvchan_wait blocks otherwise
        if (poll(0) && vchan.libxenvchan_wait(ctrl) < 0) {
            throw new IOException("libxenvchan_wait failed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            vchan.libxenvchan_close(ctrl);
        }
    }

    private boolean poll(int timeoutMillis) throws IOException {
        pollFd.setInt(0, eventFd);
        pollFd.setShort(4, LibC.POLLIN);
        pollFd.setShort(6, (short) 0);
        int ready = libc.poll(pollFd, new NativeLong(1), timeoutMillis);
        if (ready < 0) {
            int errno = com.sun.jna.Native.getLastError();
            if (errno == 4) { // EINTR
                return false;
            }
            throw new IOException("poll on the vchan event channel failed: " + libc.strerror(errno));
        }
        short revents = pollFd.getShort(6);
        if ((revents & (LibC.POLLERR | LibC.POLLNVAL)) != 0) {
            throw new IOException("the vchan event channel reports an error (revents=0x" + Integer.toHexString(revents) + ")");
        }
        return ready > 0 && (revents & LibC.POLLIN) != 0;
    }

    private void requireOpen() throws IOException {
        if (closed) {
            throw new IOException("vchan closed");
        }
    }
}
