package io.bulkhead.core.domains.event;

/**
 * Whiteboard listener of model events: register as an OSGi service. See the package
 * documentation for ordering, filtering and veto rules.
 */
@FunctionalInterface
public interface QubesEventListener {

    /**
     * Service property (String or String[]) of glob patterns on {@link QubesEvent#name()}; absent
     * means every event.
     */
    String EVENT_PATTERNS = "qubes.event";

    /**
     * Handles one event. For a pre-event, throwing vetoes the operation.
     *
     * @param event the event
     */
    void onEvent(QubesEvent event);
}
