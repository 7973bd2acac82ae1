package io.bulkhead.core.domains.event;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Life-cycle event of a qube or of the qube collection.
 *
 * @param kind      which event
 * @param qube      the qube concerned (for {@code domain-add}/{@code domain-delete} also the subject-less app event's {@code vm} argument)
 * @param arguments extra arguments ({@code reason}, {@code force}, ...)
 */
public record DomainEvent(Kind kind, String qube, Map<String, String> arguments) implements QubesEvent {

    public DomainEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(qube, "qube");
        if (kind.appLevel && !arguments.containsKey("vm")) {
            java.util.Map<String, String> withVm = new java.util.LinkedHashMap<>(arguments);
            withVm.put("vm", qube);
            arguments = withVm;
        }
        arguments = Map.copyOf(arguments);
    }

    public DomainEvent(Kind kind, String qube) {
        this(kind, qube, Map.of());
    }

    @Override
    public String name() {
        return kind.eventName();
    }

    @Override
    public Optional<String> subject() {
        return kind.appLevel ? Optional.empty() : Optional.of(qube);
    }

    @Override
    public boolean isPreEvent() {
        return kind.pre;
    }

    /** Qubes' {@code domain-*} events. App-level ones carry the qube as argument {@code vm}. */
    public enum Kind {
        /** A qube was added to the collection (app event, argument {@code vm}). */
        ADD("domain-add", false, true),
        /** A qube is about to be removed; may veto (app event). */
        PRE_DELETE("domain-pre-delete", true, true),
        /** A qube was removed (app event). */
        DELETE("domain-delete", false, true),
        /** Start requested; may veto. */
        PRE_START("domain-pre-start", true, false),
        /** The backend is about to spawn the domain (storage is ready); may veto. */
        PRE_SPAWN("domain-pre-spawn", true, false),
        /** The backend started the domain (agent not necessarily connected). */
        SPAWN("domain-spawn", false, false),
        /** Start completed (agent connected or not waited for). */
        START("domain-start", false, false),
        /** Start failed; argument {@code reason}. */
        START_FAILED("domain-start-failed", false, false),
        /** Pause requested; may veto. */
        PRE_PAUSED("domain-pre-paused", true, false),
        PAUSED("domain-paused", false, false),
        /** Unpause requested; may veto. */
        PRE_UNPAUSED("domain-pre-unpaused", true, false),
        UNPAUSED("domain-unpaused", false, false),
        /** Shutdown requested; argument {@code force}; may veto. */
        PRE_SHUTDOWN("domain-pre-shutdown", true, false),
        /** Shutdown failed or timed out; argument {@code reason}. */
        SHUTDOWN_FAILED("domain-shutdown-failed", false, false),
        /** The domain stopped; storage is being stopped. */
        STOPPED("domain-stopped", false, false),
        /** The domain is fully down (storage stopped). */
        SHUTDOWN("domain-shutdown", false, false);

        private final String eventName;
        private final boolean pre;
        private final boolean appLevel;

        Kind(String eventName, boolean pre, boolean appLevel) {
            this.eventName = eventName;
            this.pre = pre;
            this.appLevel = appLevel;
        }

        /** @return the Qubes event name */
        public String eventName() {
            return eventName;
        }
    }
}
