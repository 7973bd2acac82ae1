package io.bulkhead.hal.xen.internal;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The bits of the C library the vchan endpoint needs: waiting on its event descriptor. */
interface LibC extends Library {

    /** {@code struct pollfd}: int fd; short events; short revents. */
    int POLLFD_SIZE = 8;
    short POLLIN = 0x1;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;
    short POLLNVAL = 0x20;

    int poll(Pointer fds, NativeLong nfds, int timeoutMillis);

    String strerror(int errnum);
}
