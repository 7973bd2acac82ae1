package io.bulkhead.core.domains;

import java.util.List;

/**
 * Which hypervisor backend the model uses.
 *
 * @param selected   id chosen by configuration or {@link DomainsService#selectHypervisor}
 * @param available  whether a backend with that id is registered right now (qubes can start)
 * @param registered ids of every registered backend, sorted
 */
public record HypervisorStatus(String selected, boolean available, List<String> registered) {

    public HypervisorStatus {
        registered = List.copyOf(registered);
    }
}
