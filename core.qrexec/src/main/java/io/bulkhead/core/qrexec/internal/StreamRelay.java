package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.protocol.DataStreamChecker;
import io.bulkhead.core.qrexec.protocol.ExitStatus;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Connects a caller's data connection to a service's (a VM to VM call, over any transports): Qubes messages
 * are passed through unchanged, hellos included, so both agents negotiate end to end. Each
 * direction is checked against the data-connection rules; the qube that breaks them gets its
 * link closed, the other side sees its connection aborted. Back-pressure is the transport's: a
 * pump forwards a message only when the other side has room for it (mux credit, socket buffer).
 */
final class StreamRelay {
    private static final System.Logger LOG = System.getLogger(StreamRelay.class.getName());

    private StreamRelay() {
    }

    /**
     * Relays until the service side has ended (its exit status passed on), then closes both
     * streams: what the caller still sends is no longer wanted.
     *
     * @param helloTimeoutMillis how long the service side may take to send its first message
     * @return the service's exit status, or 125 if none was relayed
     */
    static int run(DataConnection caller, DataConnection service, String description, Executor executor, long helloTimeoutMillis) {
        CompletableFuture<Void> upstream = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                callerToService(caller, service, description);
            } finally {
                upstream.complete(null);
            }
        });
        int exit = serviceToCaller(service, caller, description, helloTimeoutMillis);
        caller.close();
        service.close();
        upstream.join();
        return exit;
    }

    /**
     * Stdin. When the service stops reading (it finished, or closed its stdin) the rest is
     * drained and dropped, so the caller is not blocked and still gets the exit status.
     */
    private static void callerToService(DataConnection caller, DataConnection service, String description) {
        DataStreamChecker checker = new DataStreamChecker(DataStreamChecker.Sender.CALLER, ProtocolVersion.CURRENT);
        boolean forwarding = true;
        try {
            Message m;
            while ((m = caller.read()) != null) {
                checker.accept(m);
                if (forwarding) {
                    try {
                        service.write(m);
                    } catch (IOException e) {
                        if (!service.isAbortedByPeer()) {
                            throw e;
                        }
                        forwarding = false;
                    }
                }
            }
            service.end();
        } catch (ProtocolException e) {
            caller.failLink("caller side of " + description + ": " + e.getMessage());
            service.abort();
        } catch (IOException e) {
            // the caller went away or the call was closed: the service need not wait for more
            LOG.log(System.Logger.Level.DEBUG, "{0}: caller side: {1}", description, e.getMessage());
            service.abort();
        }
    }

    /** Output and exit status; a service that breaks the rules loses its link, the caller gets 125. */
    private static int serviceToCaller(DataConnection service, DataConnection caller, String description, long firstTimeoutMillis) {
        DataStreamChecker checker = new DataStreamChecker(DataStreamChecker.Sender.SERVICE, ProtocolVersion.CURRENT);
        int exit = ExitStatus.PROBLEM;
        try {
            Message m = service.read(firstTimeoutMillis);
            while (m != null) {
                checker.accept(m);
                if (m.type() == MessageType.DATA_EXIT_CODE) {
                    exit = ExitStatus.decode(m.payload());
                }
                caller.write(m);
                m = service.read();
            }
            caller.end();
        } catch (ProtocolException e) {
            service.failLink("service side of " + description + ": " + e.getMessage());
            caller.abort();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: service side: {1}", description, e.getMessage());
            service.abort();
            caller.abort();
        }
        return exit;
    }
}
