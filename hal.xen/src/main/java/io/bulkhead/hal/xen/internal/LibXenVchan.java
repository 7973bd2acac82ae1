package io.bulkhead.hal.xen.internal;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * JNA binding of Xen's libxenvchan ({@code libxenvchan.h}, Debian package libxenmisc4.17): a
 * byte stream between two domains over a shared-memory ring, set up through xenstore under
 * {@code /local/domain/<server>/data/vchan/<client>/<port>}. The {@code struct libxenvchan *}
 * handle stays opaque; it is created non-blocking, so read and write return 0 instead of waiting.
 */
interface LibXenVchan extends Library {

    /** @return a handle, or null with errno set (no Xen, no server yet, no permission) */
    Pointer libxenvchan_client_init(Pointer logger, int domain, String xsPath);

    /** @return a handle, or null with errno set */
    Pointer libxenvchan_server_init(Pointer logger, int domain, String xsPath, NativeLong readMin, NativeLong writeMin);

    void libxenvchan_close(Pointer ctrl);

    /** @return bytes read (0 when nothing is available), -1 on error */
    int libxenvchan_read(Pointer ctrl, Pointer data, NativeLong size);

    /** @return bytes written (0 when the ring is full), -1 on error */
    int libxenvchan_write(Pointer ctrl, Pointer data, NativeLong size);

    /** Consumes a pending notification; blocks if none is pending. */
    int libxenvchan_wait(Pointer ctrl);

    /** @return the event-channel descriptor that becomes readable on a notification */
    int libxenvchan_fd_for_select(Pointer ctrl);

    /** @return 0 when a side closed or crashed, 1 when both are open, 2 (server) while no client connected */
    int libxenvchan_is_open(Pointer ctrl);

    /** @return bytes ready to read */
    int libxenvchan_data_ready(Pointer ctrl);

    /** @return bytes that can be written without blocking */
    int libxenvchan_buffer_space(Pointer ctrl);
}
