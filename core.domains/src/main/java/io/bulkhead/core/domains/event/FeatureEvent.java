package io.bulkhead.core.domains.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A feature of a qube is set or deleted: {@code domain-feature-pre-set:NAME} (may veto),
 * {@code domain-feature-set:NAME}, {@code domain-feature-pre-delete:NAME} (may veto),
 * {@code domain-feature-delete:NAME}.
 *
 * @param kind     which event
 * @param qube     subject qube
 * @param feature  feature name
 * @param value    new value (set events); empty for delete events
 * @param oldValue previous value, empty if the feature was absent
 */
public record FeatureEvent(Kind kind, String qube, String feature, Optional<String> value, Optional<String> oldValue)
        implements QubesEvent {

    public FeatureEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(qube, "qube");
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(oldValue, "oldValue");
    }

    @Override
    public String name() {
        return kind.prefix + feature;
    }

    @Override
    public Optional<String> subject() {
        return Optional.of(qube);
    }

    @Override
    public boolean isPreEvent() {
        return kind == Kind.PRE_SET || kind == Kind.PRE_DELETE;
    }

    @Override
    public Map<String, String> arguments() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("feature", feature);
        value.ifPresent(v -> args.put("value", v));
        oldValue.ifPresent(v -> args.put("oldvalue", v));
        return args;
    }

    /** Kinds of feature event. */
    public enum Kind {
        PRE_SET("domain-feature-pre-set:"), SET("domain-feature-set:"),
        PRE_DELETE("domain-feature-pre-delete:"), DELETE("domain-feature-delete:");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        /** @return event name prefix */
        public String prefix() {
            return prefix;
        }
    }
}
