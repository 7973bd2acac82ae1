package io.bulkhead.core.domains.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A property of a qube (or a global property, when {@code qube} is empty) is set or reset.
 * Names: {@code property-pre-set:NAME}, {@code property-set:NAME}, {@code property-pre-reset:NAME},
 * {@code property-reset:NAME}. A {@code property-reset:NAME} with {@code isDefault} semantics is
 * also fired when a computed default changes because something it follows changed (e.g. the
 * template's {@code memory}), so clients can refresh.
 *
 * @param kind     which event
 * @param qube     subject qube; empty for global properties
 * @param property property name
 * @param newValue new effective value (serialised; for resets the default), {@code ""} for None
 * @param oldValue previous effective value, empty when unknown
 */
public record PropertyEvent(Kind kind, Optional<String> qube, String property, String newValue, Optional<String> oldValue)
        implements QubesEvent {

    public PropertyEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(qube, "qube");
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(newValue, "newValue");
        Objects.requireNonNull(oldValue, "oldValue");
    }

    @Override
    public String name() {
        return kind.prefix + property;
    }

    @Override
    public Optional<String> subject() {
        return qube;
    }

    @Override
    public boolean isPreEvent() {
        return kind == Kind.PRE_SET || kind == Kind.PRE_RESET;
    }

    @Override
    public Map<String, String> arguments() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("name", property);
        args.put("newvalue", newValue);
        oldValue.ifPresent(v -> args.put("oldvalue", v));
        return args;
    }

    /** Kinds of property event. */
    public enum Kind {
        PRE_SET("property-pre-set:"), SET("property-set:"), PRE_RESET("property-pre-reset:"), RESET("property-reset:");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        /** @return event name prefix, e.g. {@code property-set:} */
        public String prefix() {
            return prefix;
        }
    }
}
