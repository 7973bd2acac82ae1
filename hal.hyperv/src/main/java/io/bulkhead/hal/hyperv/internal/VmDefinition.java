package io.bulkhead.hal.hyperv.internal;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything the define script needs, already translated from the {@code DomainSpec} into
 * Hyper-V terms (validated, MACs in Hyper-V form, disks planned).
 *
 * @param vmName          Hyper-V VM name
 * @param qube            the qube's UUID (VM directory name and Notes marker)
 * @param memoryBytes     startup memory, a multiple of 2 MiB
 * @param maxMemoryBytes  dynamic memory maximum; 0 = static memory
 * @param vcpus           virtual processors
 * @param disks           disks in SCSI location order (the first one boots)
 * @param uplinks         link switches the VM's uplink adapters connect to (client side)
 * @param externalSwitch  an existing host switch to connect an extra adapter to (feature
 *                        {@code hyperv-switch}, for the qube that reaches the real network)
 * @param netvmOf         the VM's own qube UUID when it provides network: its define re-attaches
 *                        the link switches that name it, so running clients survive its restart
 * @param secureBootTemplate Secure Boot template name, empty = Secure Boot off
 */
record VmDefinition(String vmName, UUID qube, long memoryBytes, long maxMemoryBytes, int vcpus,
        List<DiskPlan> disks, List<LinkSwitch> uplinks, Optional<String> externalSwitch, Optional<UUID> netvmOf,
        String secureBootTemplate) {

    VmDefinition {
        Objects.requireNonNull(vmName, "vmName");
        Objects.requireNonNull(qube, "qube");
        disks = List.copyOf(disks);
        uplinks = List.copyOf(uplinks);
        Objects.requireNonNull(externalSwitch, "externalSwitch");
        Objects.requireNonNull(netvmOf, "netvmOf");
        Objects.requireNonNull(secureBootTemplate, "secureBootTemplate");
    }

    /** Name of the client adapter for uplink {@code index}. */
    static String uplinkAdapter(int index) {
        return index == 0 ? LinkSwitch.UPLINK_ADAPTER : LinkSwitch.UPLINK_ADAPTER + "-" + index;
    }
}
