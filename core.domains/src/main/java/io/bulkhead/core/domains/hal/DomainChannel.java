package io.bulkhead.core.domains.hal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An open host-side end of a host&lt;-&gt;guest byte channel (the qrexec channel in practice). It is
 * a full-duplex byte stream; framing (qrexec messages) is the caller's job. Reading returns
 * {@code -1} when the guest side goes away for good (domain stopped).
 *
 * <p>One reader thread and one writer thread may use it concurrently; closing releases the
 * underlying socket/vchan/hvsocket.
 */
public interface DomainChannel extends Closeable {

    /** @return name of the domain this channel is connected to */
    String domain();

    /** @return channel name, e.g. {@link ChannelSpec#QREXEC} */
    String channelName();

    /** @return stream of bytes written by the guest */
    InputStream input() throws IOException;

    /** @return stream of bytes to the guest; {@code flush()} pushes them out */
    OutputStream output() throws IOException;

    /** Closes both directions. Idempotent. */
    @Override
    void close() throws IOException;
}
