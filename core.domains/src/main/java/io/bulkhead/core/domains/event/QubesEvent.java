package io.bulkhead.core.domains.event;

import java.util.Map;
import java.util.Optional;

/**
 * A model event. {@link #name()} is the Qubes event name (e.g. {@code property-set:netvm},
 * {@code domain-start}), {@link #subject()} the qube it is about (empty for app-level events such
 * as global property changes), {@link #arguments()} the keyword arguments in serialised form (for
 * {@code admin.Events}). Concrete types are the records in this package.
 */
public sealed interface QubesEvent permits DomainEvent, PropertyEvent, FeatureEvent, TagEvent {

    /** @return Qubes event name */
    String name();

    /** @return subject qube name; empty for events fired on the app */
    Optional<String> subject();

    /** @return whether this is a pre-event whose listeners may veto */
    boolean isPreEvent();

    /** @return event keyword arguments, serialised ({@code ""} for None) */
    Map<String, String> arguments();
}
