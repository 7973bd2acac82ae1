package io.bulkhead.hal.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DeviceSpec;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Qubes device specs (pci, block) as xl spec strings. */
class XenDevicesTest {

    @Test
    void pciPortsInQubesAndLspciSpelling() {
        assertEquals("0000:00:14.0", XenPciDevice.of(pci("00_14.0", Map.of())).spec());
        assertEquals("0000:03:00.1,permissive=1", XenPciDevice.of(pci("0000:03:00.1", Map.of("permissive", "True"))).spec());
        assertEquals("00ab:03:1f.7", XenPciDevice.of(pci("00AB_03_1F.7", Map.of("no-strict-reset", "yes"))).spec());
    }

    @Test
    void badPciDevicesAreRejected() {
        assertMessage("backend must be dom0", () -> XenPciDevice.of(new DeviceSpec("pci", "sys-usb", "00_14.0", Map.of())));
        assertMessage("is not a PCI address", () -> XenPciDevice.of(pci("00_14.8", Map.of())));
        assertMessage("is not a PCI address", () -> XenPciDevice.of(pci("00_14.0,seize=1", Map.of())));
        assertMessage("'seize' is not supported", () -> XenPciDevice.of(pci("00_14.0", Map.of("seize", "1"))));
        assertMessage("not a boolean", () -> XenPciDevice.of(pci("00_14.0", Map.of("permissive", "maybe"))));
    }

    @Test
    void blockDevicesTakeTheFirstFreeFrontendFromXvdi() {
        Set<String> used = new HashSet<>(Set.of("xvda", "xvdb", "xvdc", "xvdd", "xvdi"));
        XenDisk usb = XenDisk.forBlockDevice(new DeviceSpec("block", "sys-usb", "sdb", Map.of("read-only", "True")), used);
        assertEquals("format=raw,vdev=xvdj,access=ro,backend=sys-usb,target=/dev/sdb", usb.spec());
        XenDisk image = XenDisk.forBlockDevice(new DeviceSpec("block", "dom0", "/var/lib/images/iso file.iso",
                Map.of("devtype", "cdrom", "frontend-dev", "xvdz")), used);
        assertEquals("format=raw,vdev=xvdz,access=ro,devtype=cdrom,target=/var/lib/images/iso file.iso", image.spec());
        assertMessage("already in use", () -> XenDisk.forBlockDevice(new DeviceSpec("block", "sys-usb", "sdb",
                Map.of("frontend-dev", "xvdi")), used));
        assertMessage("must be a device name", () -> XenDisk.forBlockDevice(new DeviceSpec("block", "sys-usb",
                "/etc/shadow", Map.of()), used));
        assertMessage("must be a device name", () -> XenDisk.forBlockDevice(new DeviceSpec("block", "sys-usb",
                "../sda", Map.of()), used));
        assertMessage("'unknown' is not supported", () -> XenDisk.forBlockDevice(new DeviceSpec("block", "sys-usb",
                "sdb", Map.of("unknown", "1")), used));
    }

    @Test
    void frontendNamesGoOnPastZ() {
        Set<String> used = new HashSet<>();
        for (char c = 'a'; c <= 'z'; c++) {
            used.add("xvd" + c);
        }
        assertEquals("xvdaa", XenDisk.nextFree(used, "xvde"));
        used.add("xvdaa");
        assertEquals("xvdab", XenDisk.nextFree(used, "xvda"));
    }

    @Test
    void vifValuesArePatternChecked() {
        assertEquals("mac=00:16:3e:5e:6c:0a,ip=10.137.0.5,backend=sys-net,script=vif-route-qubes",
                new XenVif("00:16:3E:5E:6C:0A", "10.137.0.5", "sys-net", "vif-route-qubes").spec());
        assertMessage("MAC address", () -> new XenVif("00:16:3e:5e:6c", "10.137.0.5", "sys-net", "vif-route-qubes"));
        assertMessage("IP address", () -> new XenVif("00:16:3e:5e:6c:00", "10.137.0.5 10.0.0.1", "sys-net", "s"));
        assertMessage("not a valid qube name", () -> new XenVif("00:16:3e:5e:6c:00", "10.1.1.1", "sys-net,x=y", "s"));
        assertMessage("vif script", () -> new XenVif("00:16:3e:5e:6c:00", "10.1.1.1", "sys-net", "a,b"));
    }

    private static DeviceSpec pci(String port, Map<String, String> options) {
        return new DeviceSpec("pci", "dom0", port, options);
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
