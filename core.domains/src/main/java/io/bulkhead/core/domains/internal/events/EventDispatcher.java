package io.bulkhead.core.domains.internal.events;

import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.event.QubesEvent;
import io.bulkhead.core.domains.event.QubesEventListener;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Delivers events to whiteboard listeners in a stable order: higher service ranking first, then
 * lower service id. Pre-event listeners veto by throwing; post-event failures are reported to a
 * logger and otherwise ignored.
 */
public final class EventDispatcher {

    /** A registered listener with its ordering keys and filter. */
    public record Registration(QubesEventListener listener, int ranking, long serviceId, List<Glob> patterns) {
        boolean accepts(String eventName) {
            return patterns.isEmpty() || patterns.stream().anyMatch(g -> g.matches(eventName));
        }
    }

    private static final Comparator<Registration> ORDER =
            Comparator.comparingInt(Registration::ranking).reversed().thenComparingLong(Registration::serviceId);

    private final CopyOnWriteArrayList<Registration> listeners = new CopyOnWriteArrayList<>();
    private final BiConsumer<String, Throwable> errorLog;

    /** @param errorLog receives failures of listeners of non-pre events */
    public EventDispatcher(BiConsumer<String, Throwable> errorLog) {
        this.errorLog = errorLog;
    }

    public synchronized void add(QubesEventListener listener, int ranking, long serviceId, List<String> patterns) {
        List<Glob> globs = new ArrayList<>();
        for (String p : patterns) {
            globs.add(new Glob(p));
        }
        List<Registration> next = new ArrayList<>(listeners);
        next.add(new Registration(listener, ranking, serviceId, globs));
        next.sort(ORDER);
        listeners.clear();
        listeners.addAll(next);
    }

    public synchronized void remove(QubesEventListener listener) {
        listeners.removeIf(r -> r.listener() == listener);
    }

    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    /**
     * Fires an event.
     *
     * @throws QubesException from a pre-event listener's veto (non-Qubes exceptions are wrapped
     *                        with their message)
     */
    public void fire(QubesEvent event) {
        for (Registration r : listeners) {
            if (!r.accepts(event.name())) {
                continue;
            }
            try {
                r.listener().onEvent(event);
            } catch (RuntimeException e) {
                if (event.isPreEvent()) {
                    if (e instanceof QubesException) {
                        throw e;
                    }
                    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    throw new QubesException(msg, e);
                }
                errorLog.accept("listener " + r.listener().getClass().getName() + " failed on event " + event.name(), e);
            }
        }
    }
}
