package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.Accelerator;
import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.CapabilityNotSupportedException;
import io.bulkhead.core.domains.hal.DeviceSpec;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainNotFoundException;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.HypervisorCapabilities;
import io.bulkhead.core.domains.hal.HypervisorException;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of the backend that needs no VM. */
class KvmHypervisorTest {

    @TempDir
    Path dir;

    private KvmHypervisor hypervisor;

    @AfterEach
    void close() {
        if (hypervisor != null) {
            hypervisor.close();
        }
    }

    private KvmHypervisor backend(Map<String, ?> config) {
        hypervisor = KvmHypervisor.create(config);
        return hypervisor;
    }

    private DomainSpec spec(String name) {
        return DomainSpec.builder(name, UUID.randomUUID(), dir.resolve(name)).memory(128, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(dir.resolve("vmlinux"), Optional.empty(), ""))
                .volume(VolumeSpec.of("root", dir.resolve("root.img"), DiskFormat.RAW, true))
                .channel("qrexec").build();
    }

    @Test
    void identifiesAsKvmWithItsCapabilities() {
        KvmHypervisor kvm = backend(Map.of("accelerator", "tcg"));
        assertEquals("kvm", kvm.id());
        HypervisorCapabilities capabilities = kvm.capabilities();
        assertEquals(Accelerator.TCG, capabilities.accelerator());
        assertTrue(capabilities.supports(Capability.PAUSE) && capabilities.supports(Capability.SNAPSHOT)
                && capabilities.supports(Capability.KERNEL_BOOT) && capabilities.supports(Capability.NETWORK));
        assertTrue(!capabilities.supports(Capability.PCI_PASSTHROUGH) && !capabilities.supports(Capability.BLOCK_HOTPLUG));
        assertTrue(kvm.acceleratorReport().startsWith("tcg: configured"), kvm.acceleratorReport());
    }

    @Test
    void missingQemuGivesTheInstallCommandAtStartAndTcgAsAccelerator() {
        KvmHypervisor kvm = backend(Map.of("qemuBinary", dir.resolve("bin/qemu-system-x86_64").toString()));
        kvm.define(spec("work"));
        HypervisorException e = assertThrows(HypervisorException.class, () -> kvm.start("work"));
        assertTrue(e.getMessage().contains("apt-get install qemu-system-x86"), e.getMessage());
        assertEquals(DomainState.SHUTOFF, kvm.state("work"));
        assertEquals(Accelerator.TCG, kvm.capabilities().accelerator());
        assertTrue(kvm.acceleratorReport().contains("QEMU is not installed"), kvm.acceleratorReport());
    }

    @Test
    void unknownDomainsAreReportedAsSuch() {
        KvmHypervisor kvm = backend(Map.of("accelerator", "tcg"));
        assertThrows(DomainNotFoundException.class, () -> kvm.start("ghost"));
        assertThrows(DomainNotFoundException.class, () -> kvm.pause("ghost"));
        assertEquals(DomainState.SHUTOFF, kvm.state("ghost"));
        assertTrue(kvm.shutdown("ghost", Duration.ofSeconds(1)), "nothing to shut down");
        kvm.kill("ghost");
    }

    @Test
    void definedButHaltedDomainRefusesRuntimeOperations() {
        KvmHypervisor kvm = backend(Map.of("accelerator", "tcg"));
        kvm.define(spec("work"));
        assertEquals(Map.of("work", DomainState.SHUTOFF), kvm.domains());
        HypervisorException pause = assertThrows(HypervisorException.class, () -> kvm.pause("work"));
        assertTrue(pause.getMessage().contains("not running"), pause.getMessage());
        HypervisorException channel = assertThrows(HypervisorException.class, () -> kvm.openQrexecChannel("work"));
        assertTrue(channel.getMessage().contains("not running"), channel.getMessage());
        assertThrows(HypervisorException.class, () -> kvm.saveSnapshot("work", dir.resolve("s")));
        kvm.undefine("work");
        assertEquals(Map.of(), kvm.domains());
    }

    @Test
    void badSpecsFailAtDefineNamingTheProblem() {
        KvmHypervisor kvm = backend(Map.of("accelerator", "tcg"));
        DomainSpec bad = DomainSpec.builder("work", UUID.randomUUID(), dir).memory(128, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(dir.resolve("k"), Optional.empty(), ""))
                .volume(VolumeSpec.of("root disk", dir.resolve("r"), DiskFormat.RAW, true)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kvm.define(bad));
        assertTrue(e.getMessage().contains("'root disk'"), e.getMessage());
        assertEquals(Map.of(), kvm.domains());
    }

    @Test
    void restoreFromAMissingFileNamesTheFile() {
        KvmHypervisor kvm = backend(Map.of("accelerator", "tcg"));
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> kvm.restoreSnapshot(spec("disp1"), dir.resolve("none.snap")));
        assertTrue(e.getMessage().contains("none.snap"), e.getMessage());
    }

    @Test
    void deviceHotplugIsNotSupported() {
        KvmHypervisor kvm = backend(Map.of("accelerator", "tcg"));
        CapabilityNotSupportedException pci = assertThrows(CapabilityNotSupportedException.class,
                () -> kvm.attachDevice("work", new DeviceSpec("pci", "dom0", "00_14.0", Map.of())));
        assertEquals(Capability.PCI_PASSTHROUGH, pci.capability());
        CapabilityNotSupportedException usb = assertThrows(CapabilityNotSupportedException.class,
                () -> kvm.detachDevice("work", new DeviceSpec("usb", "sys-usb", "2-1", Map.of())));
        assertEquals(Capability.USB_PASSTHROUGH, usb.capability());
    }

    @Test
    void invalidAcceleratorConfigurationIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvmHypervisor.create(Map.of("accelerator", "xen")));
        assertTrue(e.getMessage().contains("'xen'"), e.getMessage());
    }

    @Test
    void afterCloseEverythingIsRefused() {
        KvmHypervisor kvm = backend(Map.of("accelerator", "tcg"));
        kvm.close();
        HypervisorException e = assertThrows(HypervisorException.class, () -> kvm.define(spec("work")));
        assertTrue(e.getMessage().contains("deactivated"), e.getMessage());
        kvm.close();
    }
}
