package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.Accelerator;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {

    private static final UUID ID = UUID.fromString("3f1c2a9e-7a53-4b9c-9a37-0d1c2d3e4f50");
    private static final Path RUN = Path.of("/run/bh/work");
    private static final QemuCommandLine.Host TCG = new QemuCommandLine.Host(Path.of("/usr/bin/qemu-system-x86_64"),
            Accelerator.TCG, Optional.empty(), OptionalLong.of(2_596_000));

    private static DomainSpec.Builder appVm(String name) {
        return DomainSpec.builder(name, ID, RUN).memory(256, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(Path.of("/t/vmlinux"), Optional.of(Path.of("/t/initramfs")), "quiet"))
                .volume(VolumeSpec.of("root", Path.of("/t/root.img"), DiskFormat.RAW, true))
                .volume(VolumeSpec.of("private", Path.of("/p/work/private.img"), DiskFormat.RAW, false))
                .volume(VolumeSpec.of("volatile", Path.of("/p/work/volatile.qcow2"), DiskFormat.QCOW2, false))
                .channel("qrexec");
    }

    private static List<String> render(QemuCommandLine.Host host, DomainSpec spec) {
        return QemuCommandLine.render(host, new QemuCommandLine.Launch(spec, new RunFiles(spec.runDirectory()), false, Map.of()));
    }

    /** @return the values given to every occurrence of {@code option} */
    private static List<String> values(List<String> args, String option) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(option)) {
                found.add(args.get(i + 1));
            }
        }
        return found;
    }

    private static String value(List<String> args, String option) {
        List<String> found = values(args, option);
        assertEquals(1, found.size(), option + " given " + found.size() + " times in " + args);
        return found.get(0);
    }

    @Test
    void templateBasedQubeIsAMicrovmBootingThePvhKernel() {
        List<String> args = render(TCG, appVm("work").build());
        assertEquals("/usr/bin/qemu-system-x86_64", args.get(0));
        assertEquals("microvm", value(args, "-machine"));
        assertEquals("tcg", value(args, "-accel"));
        assertEquals("256M", value(args, "-m"));
        assertEquals("1", value(args, "-smp"));
        assertEquals(ID.toString(), value(args, "-uuid"));
        assertEquals("guest=work", value(args, "-name"));
        assertEquals("/t/vmlinux", value(args, "-kernel"));
        assertEquals("/t/initramfs", value(args, "-initrd"));
        assertTrue(args.containsAll(List.of("-nodefaults", "-no-user-config", "-no-reboot")));
        assertEquals("none", value(args, "-display"));
        assertFalse(args.contains("-cpu"), "TCG keeps QEMU's default CPU model");
    }

    @Test
    void volumesAreVirtioBlkDisksNamedBySerialInSpecOrder() {
        List<String> args = render(TCG, appVm("work").build());
        assertEquals(List.of(
                "file=/t/root.img,if=none,id=vol-root,format=raw,readonly=on,cache=writeback,discard=unmap",
                "file=/p/work/private.img,if=none,id=vol-private,format=raw,readonly=off,cache=writeback,discard=unmap",
                "file=/p/work/volatile.qcow2,if=none,id=vol-volatile,format=qcow2,readonly=off,cache=writeback,discard=unmap"),
                values(args, "-drive"));
        List<String> devices = values(args, "-device");
        assertTrue(devices.contains("virtio-blk-device,drive=vol-root,serial=root"), devices.toString());
        assertTrue(devices.contains("virtio-blk-device,drive=vol-private,serial=private"), devices.toString());
        assertTrue(devices.contains("virtio-blk-device,drive=vol-volatile,serial=volatile"), devices.toString());
    }

    @Test
    void qmpConsoleAndChannelsLiveInTheRunDirectory() {
        List<String> args = render(TCG, appVm("work").channel("qubesdb").build());
        List<String> chardevs = values(args, "-chardev");
        assertTrue(chardevs.contains("file,id=console,path=/run/bh/work/console.log"), chardevs.toString());
        assertEquals("chardev:console", value(args, "-serial"));
        assertTrue(chardevs.contains("socket,id=qmp,path=/run/bh/work/qmp.sock,server=on,wait=off"), chardevs.toString());
        assertEquals("chardev=qmp,mode=control", value(args, "-mon"));
        assertTrue(chardevs.contains("socket,id=ch-qrexec,path=/run/bh/work/ch-qrexec.sock,server=on,wait=off"));
        assertTrue(chardevs.contains("socket,id=ch-qubesdb,path=/run/bh/work/ch-qubesdb.sock,server=on,wait=off"));
        List<String> devices = values(args, "-device");
        assertTrue(devices.contains("virtio-serial-device,id=vserial"), devices.toString());
        assertTrue(devices.contains("virtserialport,bus=vserial.0,chardev=ch-qrexec,name=qrexec"), devices.toString());
        assertTrue(devices.contains("virtserialport,bus=vserial.0,chardev=ch-qubesdb,name=qubesdb"), devices.toString());
    }

    @Test
    void guestsGetEntropyFromQemu() {
        List<String> micro = render(TCG, appVm("work").build());
        assertEquals("rng-builtin,id=rng0", value(micro, "-object"));
        assertTrue(values(micro, "-device").contains("virtio-rng-device,rng=rng0"));
        List<String> q35 = render(TCG, appVm("work").option("virt_mode", "hvm").build());
        assertTrue(values(q35, "-device").contains("virtio-rng-pci,rng=rng0"));
    }

    @Test
    void netvmsAreToldSoTheyLoadNicDriversBeforeAnyNicExists() {
        assertTrue(value(render(TCG, appVm("sys-net").providesNetwork(true).build()), "-append")
                .contains("bulkhead.netvm=1"));
        assertFalse(value(render(TCG, appVm("work").build()), "-append").contains("bulkhead.netvm"));
    }

    @Test
    void noChannelsMeansNoVirtioSerialBus() {
        DomainSpec spec = DomainSpec.builder("bare", ID, RUN).memory(128, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(Path.of("/k"), Optional.empty(), "")).build();
        List<String> args = render(TCG, spec);
        assertTrue(values(args, "-device").stream().noneMatch(d -> d.startsWith("virtio-serial")), args.toString());
        assertFalse(args.contains("-initrd"));
    }

    @Test
    void sandboxDeniesEverythingWhenNotDroppingPrivileges() {
        List<String> args = render(TCG, appVm("work").build());
        assertEquals("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", value(args, "-sandbox"));
        assertFalse(args.contains("-runas"));
    }

    @Test
    void asRootQemuDropsToTheUnprivilegedUser() {
        QemuCommandLine.Host root = new QemuCommandLine.Host(TCG.binary(), Accelerator.TCG, Optional.of("bulkhead-qemu"),
                TCG.tscKhz());
        List<String> args = render(root, appVm("work").build());
        assertEquals("bulkhead-qemu", value(args, "-runas"));
        // QEMU 7.2 applies seccomp before -runas: set*id must stay allowed for the drop to happen.
        assertEquals("on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny", value(args, "-sandbox"));
    }

    @Test
    void kernelCommandLineGetsConsoleTscNameButKeepsWhatTheSpecSays() {
        String cmdline = value(render(TCG, appVm("work").build()), "-append");
        assertEquals("quiet console=ttyS0 tsc=reliable tsc_early_khz=2596000 bulkhead.name=work", cmdline);

        DomainSpec custom = appVm("work").boot(new DomainSpec.KernelBoot(Path.of("/k"), Optional.empty(),
                "console=hvc0 tsc=unstable tsc_early_khz=1000 bulkhead.name=other")).build();
        assertEquals("console=hvc0 tsc=unstable tsc_early_khz=1000 bulkhead.name=other", value(render(TCG, custom), "-append"));
    }

    @Test
    void tscHintOnlyForMicrovmUnderTcg() {
        QemuCommandLine.Host kvm = new QemuCommandLine.Host(TCG.binary(), Accelerator.KVM, Optional.empty(), TCG.tscKhz());
        List<String> kvmArgs = render(kvm, appVm("work").build());
        assertFalse(value(kvmArgs, "-append").contains("tsc_early_khz"));
        assertFalse(value(kvmArgs, "-append").contains("tsc=reliable"), "a KVM guest's TSC is watched as usual");
        assertEquals("kvm", value(kvmArgs, "-accel"));
        assertEquals("host", value(kvmArgs, "-cpu"));

        QemuCommandLine.Host pvm = new QemuCommandLine.Host(TCG.binary(), Accelerator.PVM, Optional.empty(), TCG.tscKhz());
        List<String> pvmArgs = render(pvm, appVm("work").build());
        assertEquals("kvm", value(pvmArgs, "-accel"));
        assertFalse(pvmArgs.contains("-cpu"), "-cpu host fails on PVM (MSR 0x10a)");

        DomainSpec hvm = appVm("work").option("virt_mode", "hvm").build();
        assertFalse(value(render(TCG, hvm), "-append").contains("tsc_early_khz"));
    }

    @Test
    void q35ForDiskBootHvmAndNetvms() {
        DomainSpec diskBoot = appVm("standalone").boot(new DomainSpec.DiskBoot()).build();
        List<String> args = render(TCG, diskBoot);
        assertEquals("q35", value(args, "-machine"));
        assertFalse(args.contains("-kernel"));
        List<String> devices = values(args, "-device");
        assertTrue(devices.contains("virtio-blk-pci,drive=vol-root,serial=root,bootindex=0"), devices.toString());
        assertTrue(devices.contains("virtio-blk-pci,drive=vol-private,serial=private"), devices.toString());
        assertTrue(devices.contains("virtio-serial-pci,id=vserial"), devices.toString());

        assertEquals(Machine.Q35, QemuCommandLine.machineFor(appVm("x").option("virt_mode", "hvm").build()));
        assertEquals(Machine.Q35, QemuCommandLine.machineFor(appVm("sys-net").providesNetwork(true).build()));
        List<String> netvmDevices = values(render(TCG, appVm("sys-net").providesNetwork(true).build()), "-device");
        assertTrue(netvmDevices.contains("pcie-root-port,id=uplink-port0,chassis=1"), netvmDevices.toString());
        assertEquals(NetworkLinks.CLIENT_PORTS, netvmDevices.stream().filter(d -> d.startsWith("pcie-root-port,")).count(),
                "a netvm gets hot-plug ports for its clients' NICs");
        assertFalse(values(args, "-device").stream().anyMatch(d -> d.startsWith("pcie-root-port")), "other qubes get none");
        assertEquals(Machine.MICROVM, QemuCommandLine.machineFor(appVm("x").option("virt_mode", "pvh").build()));
        assertEquals(Machine.Q35, QemuCommandLine.machineFor(appVm("x").option("qemu-machine", "q35").build()));
    }

    @Test
    void forcedMachineIsValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> QemuCommandLine.machineFor(appVm("x").option("qemu-machine", "pc").build()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QemuCommandLine.machineFor(
                appVm("x").boot(new DomainSpec.DiskBoot()).option("qemu-machine", "microvm").build()));
        assertTrue(e.getMessage().contains("needs a kernel"), e.getMessage());
    }

    @Test
    void commasInPathsAreDoubledSoQemuDoesNotSplitThem() {
        DomainSpec spec = DomainSpec.builder("odd", ID, Path.of("/run/a,b")).memory(128, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(Path.of("/k"), Optional.empty(), ""))
                .volume(VolumeSpec.of("root", Path.of("/img/x,readonly=off.img"), DiskFormat.RAW, true)).build();
        List<String> args = render(TCG, spec);
        assertTrue(values(args, "-drive").get(0).startsWith("file=/img/x,,readonly=off.img,if=none"), args.toString());
        assertTrue(values(args, "-chardev").contains("socket,id=qmp,path=/run/a,,b/qmp.sock,server=on,wait=off"));
        assertEquals("a,,b", QemuCommandLine.escape("a,b"));
    }

    @Test
    void unsafeVolumeNamesAndMacsAreRejectedWithTheirName() {
        DomainSpec badVolume = appVm("work").volume(VolumeSpec.of("a,b", Path.of("/x"), DiskFormat.RAW, false)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> render(TCG, badVolume));
        assertTrue(e.getMessage().contains("'a,b'") && e.getMessage().contains("work"), e.getMessage());

        DomainSpec badMac = appVm("work").network(new NetworkLink("sys-net", "00:16:3e:5e:6c", "10.137.0.5",
                "10.138.0.1", "255.255.255.255", List.of())).build();
        IllegalArgumentException mac = assertThrows(IllegalArgumentException.class, () -> QemuCommandLine.render(TCG,
                new QemuCommandLine.Launch(badMac, new RunFiles(RUN), false, Map.of("sys-net", Path.of("/n.sock")))));
        assertTrue(mac.getMessage().contains("00:16:3e:5e:6c"), mac.getMessage());
    }

    @Test
    void uplinkConnectsToTheNetvmSocketAndTheGuestLearnsItsAddress() {
        DomainSpec spec = appVm("work").network(new NetworkLink("sys-firewall", "00:16:3e:5e:6c:00", "10.137.0.5",
                "10.138.0.1", "255.255.255.255", List.of("10.139.1.1"))).build();
        List<String> args = QemuCommandLine.render(TCG, new QemuCommandLine.Launch(spec, new RunFiles(RUN), false,
                Map.of("sys-firewall", Path.of("/run/bh/sys-firewall/net-work.sock"))));
        assertEquals("stream,id=uplink0,server=off,addr.type=unix,addr.path=/run/bh/sys-firewall/net-work.sock",
                value(args, "-netdev"));
        assertTrue(values(args, "-device").contains("virtio-net-device,netdev=uplink0,mac=00:16:3e:5e:6c:00"));
        assertTrue(value(args, "-append").endsWith("bulkhead.ip=10.137.0.5 bulkhead.gw=10.138.0.1 bulkhead.dns=10.139.1.1"),
                value(args, "-append"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> render(TCG, spec));
        assertTrue(e.getMessage().contains("sys-firewall"), e.getMessage());
    }

    @Test
    void restoreStartsPausedWaitingForTheStream() {
        DomainSpec spec = appVm("disp1").build();
        List<String> args = QemuCommandLine.render(TCG, new QemuCommandLine.Launch(spec, new RunFiles(RUN), true, Map.of()));
        assertEquals("defer", value(args, "-incoming"));
        assertTrue(args.contains("-S"));
        assertFalse(render(TCG, spec).contains("-incoming"));
    }

    @Test
    void rendersTheSameArgumentsForTheSameSpec() {
        // save and restore must describe identical devices
        DomainSpec spec = appVm("work").build();
        assertEquals(render(TCG, spec), render(TCG, spec));
    }

    @Test
    void onlyQemuAcceleratorsAreAccepted() {
        assertThrows(IllegalArgumentException.class, () -> new QemuCommandLine.Host(Path.of("q"), Accelerator.XEN,
                Optional.empty(), OptionalLong.empty()));
    }
}
