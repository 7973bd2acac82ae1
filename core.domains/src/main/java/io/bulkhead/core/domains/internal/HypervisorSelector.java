package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.HypervisorStatus;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.hal.DomainStateListener;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.domains.hal.ListenerRegistration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Tracks the Hypervisor services that come and go and hands out the one selected by
 * configuration. Never keeps a reference to an unregistered service: callers ask again each time.
 */
final class HypervisorSelector {

    private String selectedId;
    private final DomainStateListener stateListener;
    private final Consumer<Hypervisor> onSelectedArrived;
    private final Map<Hypervisor, String> bound = new LinkedHashMap<>();
    private Hypervisor active;
    private ListenerRegistration activeRegistration;

    HypervisorSelector(String selectedId, DomainStateListener stateListener, Consumer<Hypervisor> onSelectedArrived) {
        this.selectedId = selectedId;
        this.stateListener = stateListener;
        this.onSelectedArrived = onSelectedArrived;
    }

    synchronized String selectedId() {
        return selectedId;
    }

    /** @return the selection, whether its backend is bound, and the ids of every bound backend */
    synchronized HypervisorStatus status() {
        return new HypervisorStatus(selectedId, active != null, bound.values().stream().distinct().sorted().toList());
    }

    /**
     * Makes {@code id} the selected backend; the caller has checked that no qube runs. The new
     * backend (if bound) is handed to the arrival callback so the model adopts what it runs.
     */
    void select(String id) {
        Hypervisor arrived = null;
        synchronized (this) {
            if (id.equals(selectedId)) {
                return;
            }
            closeRegistration();
            active = null;
            selectedId = id;
            for (Map.Entry<Hypervisor, String> e : bound.entrySet()) {
                if (id.equals(e.getValue())) {
                    activate(e.getKey());
                    arrived = e.getKey();
                    break;
                }
            }
        }
        if (arrived != null) {
            onSelectedArrived.accept(arrived);
        }
    }

    /** Called by DS when a Hypervisor service appears. */
    void bind(Hypervisor hypervisor, String id) {
        Hypervisor arrived = null;
        synchronized (this) {
            bound.put(hypervisor, id);
            if (active == null && selectedId.equals(id)) {
                activate(hypervisor);
                arrived = hypervisor;
            }
        }
        if (arrived != null) {
            onSelectedArrived.accept(arrived);
        }
    }

    /** Called by DS when a Hypervisor service goes away. */
    void unbind(Hypervisor hypervisor) {
        Hypervisor replacement = null;
        synchronized (this) {
            bound.remove(hypervisor);
            if (active == hypervisor) {
                closeRegistration();
                active = null;
                for (Map.Entry<Hypervisor, String> e : bound.entrySet()) {
                    if (selectedId.equals(e.getValue())) {
                        activate(e.getKey());
                        replacement = e.getKey();
                        break;
                    }
                }
            }
        }
        if (replacement != null) {
            onSelectedArrived.accept(replacement);
        }
    }

    private void activate(Hypervisor hypervisor) {
        active = hypervisor;
        try {
            activeRegistration = hypervisor.addStateListener(stateListener);
        } catch (RuntimeException e) {
            activeRegistration = null; // a backend that cannot report states still works for explicit calls
        }
    }

    private void closeRegistration() {
        if (activeRegistration != null) {
            try {
                activeRegistration.close();
            } catch (RuntimeException ignored) {
                // the backend is going away anyway
            }
            activeRegistration = null;
        }
    }

    synchronized Optional<Hypervisor> current() {
        return Optional.ofNullable(active);
    }

    /** @throws QubesException naming the missing backend */
    Hypervisor require(String forWhat) {
        String selectedId = selectedId();
        return current().orElseThrow(() -> new QubesException("Cannot " + forWhat + ": no hypervisor backend '" + selectedId
                + "' is available (configured by property 'hypervisor' of PID " + DomainsConfig.PID
                + "; install/start the bundle that registers io.bulkhead.core.domains.hal.Hypervisor with hypervisor="
                + selectedId + ")"));
    }

    synchronized void close() {
        closeRegistration();
        active = null;
        bound.clear();
    }
}
