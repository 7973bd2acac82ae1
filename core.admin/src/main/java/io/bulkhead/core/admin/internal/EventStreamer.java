package io.bulkhead.core.admin.internal;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.internal.wire.ResponseEncoder;
import io.bulkhead.core.domains.event.QubesEvent;

/**
 * Serves {@code admin.Events}: {@code connection-established}, then every event the caller may
 * see, as qubesd event frames, until the caller goes away (a write fails or the transport says it
 * is closed). Used by the socket server and by the qrexec bridge alike.
 */
final class EventStreamer {
    private static final Logger LOG = Logger.getLogger(EventStreamer.class.getName());
    /** Events queued for a slow reader before its stream is dropped. */
    private static final int EVENT_BACKLOG = 4096;

    /** Where frames go. */
    @FunctionalInterface
    interface FrameSink {
        void write(byte[] frame) throws IOException;
    }

    private final EventHub events;
    private final AdminDispatcher dispatcher;

    EventStreamer(EventHub events, AdminDispatcher dispatcher) {
        this.events = events;
        this.dispatcher = dispatcher;
    }

    /** Blocks until the stream ends; the request must have been authorized. */
    void stream(AdminRequest request, FrameSink sink, BooleanSupplier open) {
        BlockingQueue<QubesEvent> queue = new ArrayBlockingQueue<>(EVENT_BACKLOG);
        boolean[] overflow = {false};
        try (AutoCloseable subscription = events.subscribe(event -> {
            if (!queue.offer(event)) {
                overflow[0] = true;
            }
        })) {
            sink.write(ResponseEncoder.event("", "connection-established", Map.of()));
            while (open.getAsBoolean() && !overflow[0]) {
                QubesEvent event = queue.poll(1, TimeUnit.SECONDS);
                if (event == null || !wanted(request, event)) {
                    continue;
                }
                sink.write(ResponseEncoder.event(event.subject().orElse(""), event.name(), event.arguments()));
            }
            if (overflow[0]) {
                LOG.warning("admin.Events reader too slow: more than " + EVENT_BACKLOG + " events queued, stream closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client closed the stream: that is how admin.Events ends
        } catch (Exception e) {
            LOG.log(Level.WARNING, "admin.Events stream failed", e);
        }
    }

    /** A qube as destination limits the stream to that qube's events; hooks may hide qubes. */
    private boolean wanted(AdminRequest request, QubesEvent event) {
        String name = event.name();
        if (name.startsWith("admin-permission:") || name.startsWith("device-get:") || name.startsWith("device-list:")
                || name.startsWith("device-list-attached:") || name.equals("domain-is-fully-usable")) {
            return false;
        }
        if (!request.toAdminVm() && !event.subject().map(request.destination()::equals).orElse(false)) {
            return false;
        }
        return event.subject().map(subject -> dispatcher.visibleToCaller(request, subject)).orElse(true);
    }
}
