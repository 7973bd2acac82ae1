package io.bulkhead.core.domains.event;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A tag was added ({@code domain-tag-add:TAG}) or deleted ({@code domain-tag-delete:TAG}).
 *
 * @param added true for add, false for delete
 * @param qube  subject qube
 * @param tag   the tag
 */
public record TagEvent(boolean added, String qube, String tag) implements QubesEvent {

    public TagEvent {
        Objects.requireNonNull(qube, "qube");
        Objects.requireNonNull(tag, "tag");
    }

    @Override
    public String name() {
        return (added ? "domain-tag-add:" : "domain-tag-delete:") + tag;
    }

    @Override
    public Optional<String> subject() {
        return Optional.of(qube);
    }

    @Override
    public boolean isPreEvent() {
        return false;
    }

    @Override
    public Map<String, String> arguments() {
        return Map.of("tag", tag);
    }
}
