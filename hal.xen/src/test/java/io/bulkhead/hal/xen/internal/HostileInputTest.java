package io.bulkhead.hal.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.QubeNames;
import io.bulkhead.core.domains.hal.DeviceSpec;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile names, paths, kernel options, MACs and device ports never break out of xl.cfg: each
 * is either rejected with an {@link IllegalArgumentException} naming it, or written so that Xen's
 * parser (libxlutil) reads back exactly that value, in exactly the place meant, and nothing else
 * (no injected key, no extra disk, no shifted field). Also checks the reverse: everything xl.cfg
 * can carry is accepted, so the backend does not reject more than it must.
 */
class HostileInputTest {

    private static final LibXlUtil XLU = new LibXlUtil();
    private static final Path FILES = Path.of("/var/lib/bulkhead");
    private static final XlConfig.Settings SETTINGS = Specs.defaultSettings();

    /** Pieces of xl.cfg, disk-spec and vif-spec syntax, escapes, control and non-ASCII characters. */
    private static final List<String> FRAGMENTS = List.of("a", "Z", "0", "-", "_", ".", " ", "/", "\"", "'", "\\",
            ",", "=", "[", "]", "#", ";", ":", "+=", "\n", "\r", "\t", "\u0000", "\u007f", "\u001b", "é", "€", "\uD83D\uDE00",
            "\uD800", "\\\"", "\\x41", "\\101", "\\n", "\"\nevil = 1\n#", "\", \"", "target=/etc/shadow",
            ",backend=sys-net", ",vdev=xvdz", ",access=rw", ",script=/bin/sh", "format=qcow2,", "ip=1.2.3.4",
            "evil = 1", "${x}", "$(id)", "`id`", "%s", "..", "00:16:3e:00:00:01");

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.of(FRAGMENTS).list().ofMinSize(0).ofMaxSize(8).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(hostile(), Arbitraries.strings().withCharRange('a', 'z').withChars("-_.0A")
                .ofMinLength(1).ofMaxLength(35));
    }

    @Property(tries = 400)
    void kernelOptionsRoundTripOrAreRejected(@ForAll("hostile") String options) {
        DomainSpec spec = Specs.appVm("work", FILES)
                .boot(new DomainSpec.KernelBoot(FILES.resolve("vmlinuz"), Optional.empty(), options)).build();
        // surrounding whitespace (control characters \t \n \r \u001c-\u001f included) is trimmed, never written
        if (!representable(options.strip())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> XlConfig.render(spec, SETTINGS, List.of()));
            assertTrue(e.getMessage().contains("kernel options of domain work"), e.getMessage());
            return;
        }
        String text = XlConfig.render(spec, SETTINGS, List.of());
        try (LibXlUtil.Parsed cfg = XLU.parse("work.cfg", text)) {
            assertEquals(0, cfg.status(), cfg.report());
            String cmdline = cfg.string("cmdline").orElseThrow();
            assertEquals(XlConfig.kernelCommandLine(spec, SETTINGS, VirtMode.PVH, options), cmdline);
            assertTrue(cmdline.contains(options.strip()));
            assertUntouched(cfg, "work", 4, 1);
        }
    }

    @Property(tries = 400)
    void volumePathsRoundTripOrAreRejected(@ForAll("hostile") String tail, @ForAll boolean readOnly,
            @ForAll DiskFormat format) {
        Path path;
        try {
            path = Path.of("/pool/" + tail);
        } catch (InvalidPathException e) {
            Assume.that(false); // NUL: not a path at all, never reaches the backend
            return;
        }
        DomainSpec spec = Specs.appVm("work", FILES)
                .volume(VolumeSpec.of("data", path, format, readOnly)).build();
        String target = path.toString();
        if (!representable(target) || target.endsWith(",")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> XlConfig.render(spec, SETTINGS, List.of()));
            assertTrue(e.getMessage().contains("volume 'data' of domain work"), e.getMessage());
            return;
        }
        try (LibXlUtil.Parsed cfg = XLU.parse("work.cfg", XlConfig.render(spec, SETTINGS, List.of()))) {
            assertEquals(0, cfg.status(), cfg.report());
            List<String> disks = cfg.list("disk");
            assertEquals(5, disks.size());
            LibXlUtil.Disk disk = cfg.disk(disks.get(4));
            assertEquals(0, disk.status(), disk.report());
            assertEquals(target, disk.target());
            assertEquals("xvde", disk.vdev());
            assertEquals(!readOnly, disk.readWrite());
            assertEquals(format == DiskFormat.QCOW2 ? LibXlUtil.Disk.QCOW2 : LibXlUtil.Disk.RAW, disk.format());
            assertEquals(null, disk.backendDomain());
            assertUntouched(cfg, "work", 5, 1);
        }
    }

    @Property(tries = 400)
    void domainNamesRoundTripOrAreRejected(@ForAll("names") String name) {
        DomainSpec work = Specs.appVm("work", FILES).build();
        DomainSpec spec = new DomainSpec(name, work.uuid(), work.memoryMiB(), work.maxMemoryMiB(), work.vcpus(), work.boot(),
                work.volumes(), work.networks(), work.providesNetwork(), work.channels(), work.runDirectory(),
                work.options());
        if (!QubeNames.isValid(name)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> XlConfig.render(spec, SETTINGS, List.of()));
            assertTrue(e.getMessage().contains("is not a valid qube name"), e.getMessage());
            return;
        }
        try (LibXlUtil.Parsed cfg = XLU.parse(name + ".cfg", XlConfig.render(spec, SETTINGS, List.of()))) {
            assertEquals(0, cfg.status(), cfg.report());
            assertUntouched(cfg, name, 4, 1);
        }
    }

    @Property(tries = 400)
    void uplinksRoundTripOrAreRejected(@ForAll("hostile") String mac, @ForAll("names") String netvm,
            @ForAll boolean hostileMac) {
        String givenMac = hostileMac ? mac : "00:16:3E:5e:6c:0" + Math.abs(mac.hashCode() % 10);
        DomainSpec spec = DomainSpec.builder("work", Specs.WORK_UUID, FILES).boot(new DomainSpec.DiskBoot())
                .volume(VolumeSpec.of("root", FILES.resolve("root.img"), DiskFormat.RAW, true))
                .network(new NetworkLink(netvm, givenMac, "10.137.0.5", "10.138.0.1", "255.255.255.255", List.of()))
                .build();
        boolean validMac = givenMac.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");
        if (!validMac || !QubeNames.isValid(netvm)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> XlConfig.render(spec, SETTINGS, List.of()));
            assertTrue(e.getMessage().contains("network link of domain work"), e.getMessage());
            return;
        }
        try (LibXlUtil.Parsed cfg = XLU.parse("work.cfg", XlConfig.render(spec, SETTINGS, List.of()))) {
            assertEquals(0, cfg.status(), cfg.report());
            List<String> vifs = cfg.list("vif");
            assertEquals(1, vifs.size());
            assertEquals(Map.of("mac", givenMac.toLowerCase(), "ip", "10.137.0.5", "backend", netvm,
                    "script", "vif-route-qubes"), XlVifSplit.split(vifs.get(0)));
            assertUntouched(cfg, "work", 1, 1);
        }
    }

    @Property(tries = 300)
    void blockDevicePortsRoundTripOrAreRejected(@ForAll("hostile") String port, @ForAll("names") String backend,
            @ForAll boolean readOnly) {
        DeviceSpec device = new DeviceSpec("block", backend, port, Map.of("read-only", Boolean.toString(readOnly)));
        XenDisk disk;
        try {
            disk = XenDisk.forBlockDevice(device, java.util.Set.of("xvda", "xvdb", "xvdi"));
        } catch (IllegalArgumentException e) {
            boolean plainPort = port.matches("[A-Za-z0-9][A-Za-z0-9_.:+-]*");
            assertFalse(plainPort && QubeNames.isValid(backend), "rejected a representable device: " + e.getMessage());
            return;
        }
        try (LibXlUtil.Parsed cfg = XLU.parse("attach", "")) {
            LibXlUtil.Disk parsed = cfg.disk(disk.spec());
            assertEquals(0, parsed.status(), parsed.report());
            assertEquals(port.startsWith("/") ? port : "/dev/" + port, parsed.target());
            assertEquals("xvdj", parsed.vdev());
            assertEquals(backend.equals("dom0") ? null : backend, parsed.backendDomain());
            assertEquals(!readOnly, parsed.readWrite());
        }
    }

    @Property(tries = 300)
    void pciPortsRoundTripOrAreRejected(@ForAll("hostile") String noise, @ForAll boolean permissive) {
        String port = noise.length() % 3 == 0 ? "0" + (noise.length() % 10) + "_1f." + (noise.length() % 8) : noise;
        DeviceSpec device = new DeviceSpec("pci", "dom0", port, Map.of("permissive", Boolean.toString(permissive)));
        XenPciDevice pci;
        try {
            pci = XenPciDevice.of(device);
        } catch (IllegalArgumentException e) {
            assertFalse(port.matches("([0-9a-fA-F]{4}[:_])?[0-9a-fA-F]{2}[:_][0-9a-fA-F]{2}\\.[0-7]"), e.getMessage());
            return;
        }
        try (LibXlUtil.Parsed cfg = XLU.parse("pci", "")) {
            LibXlUtil.Pci parsed = cfg.pci(pci.spec());
            assertEquals(0, parsed.status());
            assertEquals(pci.bdf(), String.format("%04x:%02x:%02x.%d", parsed.domain(), parsed.bus(), parsed.slot(),
                    parsed.function()));
            assertEquals(permissive, parsed.permissive());
        }
    }

    /** No key was injected, the name is intact and the lists have the expected lengths. */
    private static void assertUntouched(LibXlUtil.Parsed cfg, String name, int disks, int vifs) {
        assertEquals(Optional.of(name), cfg.string("name"));
        assertFalse(cfg.has("evil"), "an injected key appeared");
        assertEquals(OptionalLong.of(400), cfg.number("memory"));
        assertEquals(Optional.of("preserve"), cfg.string("on_crash"));
        assertEquals(disks, cfg.list("disk").size());
        assertEquals(vifs, cfg.list("vif").size());
    }

    private static boolean representable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return StandardCharsets.UTF_8.newEncoder().canEncode(value);
    }
}
