package io.bulkhead.hal.hyperv.internal;

import static io.bulkhead.hal.hyperv.internal.Backends.command;
import static io.bulkhead.hal.hyperv.internal.Backends.commandNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.CapabilityNotSupportedException;
import io.bulkhead.core.domains.hal.DeviceSpec;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PCI passthrough through Discrete Device Assignment, only when configured and only for VMs that are off. */
class DeviceTest {

    @TempDir
    Path pool;

    private static final DeviceSpec NIC = new DeviceSpec("pci", "dom0", "00_14.0", Map.of());

    @Test
    void withoutTheCapabilityEveryDeviceClassIsRefused() {
        FakeHyperV fake = new FakeHyperV();
        HypervHypervisor hyperv = Backends.backend(fake, Map.of());
        try {
            assertEquals(Capability.PCI_PASSTHROUGH, assertThrows(CapabilityNotSupportedException.class,
                    () -> hyperv.attachDevice("work", NIC)).capability());
            assertEquals(Capability.USB_PASSTHROUGH, assertThrows(CapabilityNotSupportedException.class,
                    () -> hyperv.attachDevice("work", new DeviceSpec("usb", "sys-usb", "2-1", Map.of()))).capability());
            assertEquals(Capability.BLOCK_HOTPLUG, assertThrows(CapabilityNotSupportedException.class,
                    () -> hyperv.detachDevice("work", new DeviceSpec("block", "dom0", "sda", Map.of()))).capability());
            assertEquals(List.of(), fake.operations());
        } finally {
            hyperv.close();
        }
    }

    @Test
    void ddaAssignsAHostDeviceFoundByItsLocationToAnOffVm() {
        FakeHyperV fake = new FakeHyperV();
        HypervHypervisor hyperv = Backends.backend(fake, Map.of("pciPassthrough", "true"));
        try {
            hyperv.define(Backends.appVm(pool, "sys-net").build());
            hyperv.attachDevice("sys-net", NIC);
            PowerShellScript assign = fake.last("assign-pci");
            assertEquals(List.of("Find-BulkheadVm", "Get-PnpDevice", "Where-Object", "Get-PnpDeviceProperty",
                    "Get-PnpDeviceProperty", "Set-VM", "Disable-PnpDevice", "Dismount-VMHostAssignableDevice",
                    "Add-VMAssignableDevice"), commandNames(assign));
            assertTrue(assign.literals().contains("PCI bus 0, device 20, function 0"));
            assertTrue(command(assign, "Get-PnpDevice").has("-PresentOnly"));
            assertEquals("$location", command(assign, "Add-VMAssignableDevice").get("-LocationPath"));
            assertEquals("$true", command(assign, "Set-VM").get("-GuestControlledCacheTypes"));

            hyperv.detachDevice("sys-net", NIC);
            assertEquals(List.of("Find-BulkheadVm", "Get-PnpDevice", "Where-Object", "Get-PnpDeviceProperty",
                    "Get-PnpDeviceProperty", "Remove-VMAssignableDevice", "Mount-VMHostAssignableDevice",
                    "Enable-PnpDevice"), commandNames(fake.last("release-pci")));

            hyperv.start("sys-net");
            HypervisorException running = assertThrows(HypervisorException.class, () -> hyperv.attachDevice("sys-net", NIC));
            assertTrue(running.getMessage().contains("cannot hot-plug"), running.getMessage());
            IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                    () -> hyperv.attachDevice("sys-net", new DeviceSpec("pci", "dom0", "00:14.0", Map.of())));
            assertTrue(port.getMessage().contains("'00:14.0'"), port.getMessage());
            assertEquals(List.of(), fake.violations());
        } finally {
            hyperv.close();
        }
    }

    @Test
    void pciAddressesReadLikeQubesAndPrintLikeWindows() {
        assertEquals("PCI bus 3, device 0, function 1", PciAddress.parse("03_00.1").locationInfo());
        assertEquals("PCI bus 0, device 31, function 6", PciAddress.parse("0000_00_1f.6").locationInfo());
        assertEquals("00_1f.6", PciAddress.parse("0000_00_1f.6").toString());
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("0001_00_14.0"));
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("00_20.0"));
    }
}
