package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.CapabilityNotSupportedException;

/** A qube asks for direct kernel boot, which Generation 2 Hyper-V VMs do not have; says what to do. */
final class KernelBootUnsupportedException extends CapabilityNotSupportedException {

    private static final long serialVersionUID = 1L;

    KernelBootUnsupportedException(String domain) {
        super(HypervHypervisor.ID, Capability.KERNEL_BOOT, domain);
    }

    @Override
    public String getMessage() {
        return super.getMessage() + ": Generation 2 Hyper-V VMs boot from their first disk through UEFI, so the"
                + " root volume needs its own boot loader and the qube's kernel property must be empty"
                + " (qvm-prefs " + domain() + " kernel '')";
    }
}
