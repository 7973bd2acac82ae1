package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.QubesVMNotStartedError;
import io.bulkhead.core.domains.QubesValueError;
import io.bulkhead.core.domains.internal.model.QubeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Switches the hypervisor backend at runtime. A running qube cannot move between backends, so
 * the switch needs every qube halted: it is refused with their names, or they are stopped first
 * when forced. A qube that starts during the switch is caught by the re-check after the switch.
 */
final class BackendSwitch {

    private static final Pattern BACKEND_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final DomainsServiceImpl svc;
    private final PowerManager power;

    BackendSwitch(DomainsServiceImpl svc, PowerManager power) {
        this.svc = svc;
        this.power = power;
    }

    synchronized void select(String id, boolean force) {
        if (id == null || !BACKEND_ID.matcher(id).matches()) {
            throw new QubesValueError("Invalid hypervisor backend id '" + id + "': expected [a-z0-9][a-z0-9._-]* (kvm, xen, hyperv, ...)");
        }
        HypervisorSelector selector = svc.hypervisors();
        String previous = selector.selectedId();
        if (id.equals(previous)) {
            return;
        }
        List<String> running = activeQubes();
        if (!running.isEmpty()) {
            if (!force) {
                throw refusal(previous, id, running);
            }
            stopAll();
        }
        selector.select(id);
        List<String> startedMeanwhile = activeQubes();
        if (!startedMeanwhile.isEmpty()) {
            selector.select(previous);
            throw refusal(previous, id, startedMeanwhile);
        }
        svc.log().accept("hypervisor backend switched from '" + previous + "' to '" + id + "'"
                + (selector.current().isPresent() ? "" : " (no backend '" + id + "' is registered yet)"), null);
    }

    private static QubesException refusal(String from, String to, List<String> running) {
        return new QubesException("Cannot switch the hypervisor backend from '" + from + "' to '" + to
                + "' while qubes are running: " + String.join(", ", running)
                + " (shut them down first, or force the switch to shut them down)");
    }

    /** @return qubes that are not halted, by name */
    private List<String> activeQubes() {
        return svc.read(() -> {
            List<String> out = new ArrayList<>();
            for (QubeRecord q : svc.model().state().qubes()) {
                if (!q.isAdmin() && svc.runtime().get(q.name) != PowerState.HALTED) {
                    out.add(q.name);
                }
            }
            out.sort(null);
            return out;
        });
    }

    /** Stops qubes that serve no running client first, so netvms go last; kills what will not stop. */
    private void stopAll() {
        for (int round = 0; round < 64; round++) {
            List<String> running = activeQubes();
            if (running.isEmpty()) {
                return;
            }
            List<String> leaves = svc.read(() -> running.stream()
                    .filter(n -> svc.model().netvmClients(svc.model().qube(n), true).isEmpty()).toList());
            for (String name : leaves.isEmpty() ? running : leaves) {
                stopOne(name);
            }
        }
        List<String> left = activeQubes();
        if (!left.isEmpty()) {
            throw new QubesException("Could not stop every qube before switching the hypervisor backend: " + String.join(", ", left));
        }
    }

    private void stopOne(String name) {
        try {
            power.shutdown(name, true, true, null);
        } catch (QubesVMNotStartedError alreadyHalted) {
            return;
        } catch (QubesException e) {
            svc.log().accept("qube '" + name + "' did not shut down for the backend switch (" + e.getMessage() + "); killing it", null);
            try {
                power.kill(name);
            } catch (QubesVMNotStartedError alreadyHalted) {
                // stopped meanwhile
            }
        }
    }
}
