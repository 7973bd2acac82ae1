package io.bulkhead.core.domains.hal;

/**
 * How a backend executes guest CPUs. Reported in {@link HypervisorCapabilities} so that the model
 * (and users) can tell a fast hardware-assisted backend from an emulated one.
 */
public enum Accelerator {
    /** Linux KVM with hardware virtualisation (VMX/SVM). */
    KVM,
    /** Linux KVM in PVM mode (pagetable-based, needs PVM-enabled guest kernels). */
    PVM,
    /** QEMU's tiny code generator: pure emulation, slow but always available. */
    TCG,
    /** The Xen hypervisor (dom0 toolstack xl/libxl). */
    XEN,
    /** Microsoft Hyper-V. */
    HYPERV,
    /** No real accelerator: an in-process or test backend. */
    NONE
}
