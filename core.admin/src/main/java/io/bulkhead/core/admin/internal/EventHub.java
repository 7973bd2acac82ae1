package io.bulkhead.core.admin.internal;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

import io.bulkhead.core.domains.event.QubesEvent;

/** Fans model events out to the open {@code admin.Events} streams. */
public final class EventHub {
    private final Set<Consumer<QubesEvent>> subscribers = new CopyOnWriteArraySet<>();

    /** Delivers an event to every subscriber; a failing subscriber does not stop the others. */
    public void publish(QubesEvent event) {
        for (Consumer<QubesEvent> subscriber : subscribers) {
            subscriber.accept(event);
        }
    }

    /** @return a handle that unsubscribes when closed */
    public AutoCloseable subscribe(Consumer<QubesEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** @return number of open streams */
    public int subscriberCount() {
        return subscribers.size();
    }
}
