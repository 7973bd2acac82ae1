package io.bulkhead.core.domains.hal;

/**
 * Optional operations a backend may support. Methods of {@link Hypervisor} that need a capability
 * the backend lacks throw {@link CapabilityNotSupportedException}. New constants may be added in
 * minor versions, so callers must not assume the set is closed.
 */
public enum Capability {
    /** {@link Hypervisor#pause(String)} and {@link Hypervisor#unpause(String)}. */
    PAUSE,
    /** {@link Hypervisor#saveSnapshot(String, java.nio.file.Path)} and
     * {@link Hypervisor#restoreSnapshot(DomainSpec, java.nio.file.Path)}. */
    SNAPSHOT,
    /** PCI device passthrough via {@link Hypervisor#attachDevice(String, DeviceSpec)}. */
    PCI_PASSTHROUGH,
    /** USB device passthrough via {@link Hypervisor#attachDevice(String, DeviceSpec)}. */
    USB_PASSTHROUGH,
    /** Block device hot-plug via {@link Hypervisor#attachDevice(String, DeviceSpec)}. */
    BLOCK_HOTPLUG,
    /** Memory can be changed at runtime (balloon or hotplug), i.e. {@code maxmem > memory} is meaningful. */
    MEMORY_BALLOONING,
    /** Domains can be defined with direct kernel boot ({@link DomainSpec.KernelBoot}). */
    KERNEL_BOOT,
    /** Domains can boot from their first disk ({@link DomainSpec.DiskBoot}). */
    DISK_BOOT,
    /** Network links between domains ({@link NetworkLink}) are implemented. */
    NETWORK
}
