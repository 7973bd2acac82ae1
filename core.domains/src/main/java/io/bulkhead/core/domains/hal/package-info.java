/**
 * Hypervisor abstraction layer (HAL): the service interface every hypervisor backend
 * (hal.kvm, hal.xen, hal.hyperv) implements.
 *
 * <p>A backend is one DS component that registers {@link io.bulkhead.core.domains.hal.Hypervisor}
 * with the service property {@value io.bulkhead.core.domains.hal.Hypervisor#SERVICE_PROPERTY}
 * {@code =<id>} (for example {@code hypervisor=kvm}). core.domains picks the backend named by its
 * configuration and tolerates it coming and going at runtime.
 *
 * <p>Everything here is hypervisor neutral: a domain is described by a
 * {@link io.bulkhead.core.domains.hal.DomainSpec} (memory, vCPUs, boot, disks, network links,
 * channels); the backend renders it to a QEMU command line + QMP, an xl.cfg, or Hyper-V
 * PowerShell. The qrexec channel is returned as a plain byte stream pair
 * ({@link io.bulkhead.core.domains.hal.DomainChannel}), whatever carries it (virtio-serial on a
 * unix socket, vchan, hvsocket).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.bulkhead.core.domains.hal;
