package io.bulkhead.qvm.client;

import java.util.Map;
import java.util.Objects;

/**
 * One event of an {@code admin.Events} stream.
 *
 * @param subject   the qube the event is about; {@code ""} for app-level events
 * @param name      event name, e.g. {@code domain-start} or {@code property-set:netvm}
 * @param arguments event arguments in the order sent
 */
public record QubesEvent(String subject, String name, Map<String, String> arguments) {

    public QubesEvent {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(name, "name");
        arguments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
    }
}
