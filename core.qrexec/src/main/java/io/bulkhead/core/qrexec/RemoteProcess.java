package io.bulkhead.core.qrexec;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A command or service running in a qube, seen from dom0, like {@link Process}: closing
 * {@link #stdin()} sends EOF; {@link #stdout()} and {@link #stderr()} end when the remote side
 * closes them. Output is buffered up to a bounded amount per stream, beyond which the remote
 * side is slowed down: read both streams (or close the one you do not need) to avoid stalling.
 */
public interface RemoteProcess extends AutoCloseable {

    /** @return the remote stdin; {@code close()} sends EOF */
    OutputStream stdin();

    /** @return the remote stdout */
    InputStream stdout();

    /** @return the remote stderr */
    InputStream stderr();

    /**
     * @return completes with the exit status: the remote process' status (128+signal when
     *         killed), 127 for a missing service, 125 when the connection broke before an exit
     *         code arrived
     */
    CompletableFuture<Integer> onExit();

    /** Blocks until the exit status is known. */
    int waitFor() throws InterruptedException;

    /** @return whether the exit status became known within the time */
    boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException;

    /** Abandons the call if still running (the remote side sees its connection aborted). */
    @Override
    void close();
}
