package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Test fixture: domain specs shaped like the ones core.domains builds for Qubes-style qubes. */
final class Specs {

    static final UUID WORK_UUID = UUID.fromString("6f1a4e2c-8f2b-4a63-9a1e-0c3b7f1f1e01");

    private Specs() {
    }

    static XlConfig.Settings defaultSettings() {
        return XlConfig.Settings.of(Configurations.of(XenConfiguration.class, Map.of()));
    }

    /**
     * A template-based AppVM behind a firewall: kernel from dom0, qcow2 overlay root over the
     * template's image, raw private/volatile, read-only modules image, one uplink.
     *
     * @param files directory holding kernel, initrd and volume files (need not exist)
     */
    static DomainSpec.Builder appVm(String name, Path files) {
        UUID uuid = name.equals("work") ? WORK_UUID : UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return DomainSpec.builder(name, uuid, files.resolve("run").resolve(name))
                .memory(400, 4000)
                .vcpus(2)
                .boot(new DomainSpec.KernelBoot(files.resolve("vm-kernels/6.1/vmlinuz"),
                        Optional.of(files.resolve("vm-kernels/6.1/initramfs")), "swiotlb=2048"))
                .volume(new VolumeSpec("root", files.resolve(name + "/root-snap.qcow2"), DiskFormat.QCOW2, false,
                        Optional.of(files.resolve("templates/debian-12/root.img"))))
                .volume(VolumeSpec.of("private", files.resolve(name + "/private.img"), DiskFormat.RAW, false))
                .volume(VolumeSpec.of("volatile", files.resolve(name + "/volatile.img"), DiskFormat.RAW, false))
                .volume(VolumeSpec.of("kernel", files.resolve("vm-kernels/6.1/modules.img"), DiskFormat.RAW, true))
                .network(new NetworkLink("sys-firewall", "00:16:3e:5e:6c:00", "10.137.0.5", "10.138.0.1",
                        "255.255.255.255", List.of("10.139.1.1", "10.139.1.2")))
                .channel("qrexec")
                .channel("qubesdb")
                .option("virt_mode", "pvh")
                .option("kernelopts", "swiotlb=2048")
                .option("label", "red");
    }

    /** @return {@code spec} without network links (a qube with netvm none) */
    static DomainSpec withoutNetwork(DomainSpec spec) {
        return new DomainSpec(spec.name(), spec.uuid(), spec.memoryMiB(), spec.maxMemoryMiB(), spec.vcpus(), spec.boot(),
                spec.volumes(), List.of(), spec.providesNetwork(), spec.channels(), spec.runDirectory(), spec.options());
    }

    /** Creates every file a spec refers to (kernel, initrd, volumes), as the storage layer would. */
    static DomainSpec materialise(DomainSpec spec) throws java.io.IOException {
        List<Path> files = new java.util.ArrayList<>();
        if (spec.boot() instanceof DomainSpec.KernelBoot kernel) {
            files.add(kernel.kernel());
            kernel.initrd().ifPresent(files::add);
        }
        spec.volumes().forEach(volume -> files.add(volume.path()));
        for (Path file : files) {
            java.nio.file.Files.createDirectories(file.getParent());
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.createFile(file);
            }
        }
        return spec;
    }

    /** A netvm without uplink, HVM (it gets a PCI network card), kernel booted. */
    static DomainSpec.Builder netVm(String name, Path files) {
        return DomainSpec.builder(name, UUID.nameUUIDFromBytes(name.getBytes()), files.resolve("run").resolve(name))
                .memory(400, 0)
                .vcpus(2)
                .boot(new DomainSpec.KernelBoot(files.resolve("vm-kernels/6.1/vmlinuz"),
                        Optional.of(files.resolve("vm-kernels/6.1/initramfs")), ""))
                .volume(VolumeSpec.of("root", files.resolve(name + "/root.img"), DiskFormat.RAW, true))
                .volume(VolumeSpec.of("private", files.resolve(name + "/private.img"), DiskFormat.RAW, false))
                .providesNetwork(true)
                .channel("qrexec")
                .option("virt_mode", "hvm");
    }
}
