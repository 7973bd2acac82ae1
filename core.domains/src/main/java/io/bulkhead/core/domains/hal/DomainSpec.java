package io.bulkhead.core.domains.hal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Hypervisor-neutral description of a domain, built by core.domains from the qube's properties
 * at every start (defaults are computed on read, so the spec reflects the template and global
 * settings of that moment).
 *
 * @param name          domain name (the qube name; unique, write-once)
 * @param uuid          the qube's UUID; backends should give it to the domain (SMBIOS / xl uuid)
 * @param memoryMiB     initial memory in MiB (&gt; 0)
 * @param maxMemoryMiB  maximum memory in MiB for ballooning/hotplug; 0 = no ballooning
 * @param vcpus         number of virtual CPUs (&gt; 0)
 * @param boot          how to boot: {@link KernelBoot} or {@link DiskBoot}
 * @param volumes       disks in attach order (see {@link VolumeSpec})
 * @param networks      uplinks to network-providing domains (at most one in Qubes)
 * @param providesNetwork whether other domains link to this one as their netvm
 * @param channels      host&lt;-&gt;guest byte channels to create (qrexec, qubesdb, ...)
 * @param runDirectory  per-domain runtime directory owned by the backend while the domain runs
 *                      (QMP/serial/channel sockets, pid files); created by core, may be emptied at stop
 * @param options       backend knobs: every qube feature under its own name (e.g. {@code qemu-machine},
 *                      {@code qemu-extra-args}, {@code uefi}) plus the qube properties {@code klass},
 *                      {@code label}, {@code virt_mode}, {@code kernelopts}, {@code debug},
 *                      {@code default_user}, and for a qube that provides network {@code gateway} (the
 *                      address its clients use as gateway; properties win on a name clash); backends
 *                      ignore unknown keys
 */
public record DomainSpec(
        String name,
        UUID uuid,
        int memoryMiB,
        int maxMemoryMiB,
        int vcpus,
        Boot boot,
        List<VolumeSpec> volumes,
        List<NetworkLink> networks,
        boolean providesNetwork,
        List<ChannelSpec> channels,
        Path runDirectory,
        Map<String, String> options) {

    public DomainSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(boot, "boot");
        Objects.requireNonNull(runDirectory, "runDirectory");
        if (memoryMiB <= 0) {
            throw new IllegalArgumentException("memoryMiB must be > 0, got " + memoryMiB + " for domain " + name);
        }
        if (maxMemoryMiB < 0) {
            throw new IllegalArgumentException("maxMemoryMiB must be >= 0, got " + maxMemoryMiB + " for domain " + name);
        }
        if (vcpus <= 0) {
            throw new IllegalArgumentException("vcpus must be > 0, got " + vcpus + " for domain " + name);
        }
        volumes = List.copyOf(volumes);
        networks = List.copyOf(networks);
        channels = List.copyOf(channels);
        options = Map.copyOf(options);
    }

    /** @return the volume called {@code volumeName}, if the spec has one */
    public Optional<VolumeSpec> volume(String volumeName) {
        return volumes.stream().filter(v -> v.name().equals(volumeName)).findFirst();
    }

    /** @return whether a channel of that name is requested */
    public boolean hasChannel(String channelName) {
        return channels.stream().anyMatch(c -> c.name().equals(channelName));
    }

    /** How the domain boots. */
    public sealed interface Boot permits KernelBoot, DiskBoot {
    }

    /**
     * Direct kernel boot (Qubes' default: kernel from dom0's {@code vm-kernels/<kernel>/}).
     *
     * @param kernel  kernel image ({@code vmlinuz}, or an uncompressed {@code vmlinux} for PVH)
     * @param initrd  initramfs, if any
     * @param cmdline the qube's own kernel options ({@code kernelopts}); the backend adds what
     *                depends on it (console device, root device, its own parameters)
     */
    public record KernelBoot(Path kernel, Optional<Path> initrd, String cmdline) implements Boot {
        public KernelBoot {
            Objects.requireNonNull(kernel, "kernel");
            Objects.requireNonNull(initrd, "initrd");
            Objects.requireNonNull(cmdline, "cmdline");
        }
    }

    /** Boot the first volume's own bootloader (Qubes {@code kernel=""}: pvgrub/HVM firmware). */
    public record DiskBoot() implements Boot {
    }

    /** @return a builder for a spec of domain {@code name} */
    public static Builder builder(String name, UUID uuid, Path runDirectory) {
        return new Builder(name, uuid, runDirectory);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final String name;
        private final UUID uuid;
        private final Path runDirectory;
        private int memoryMiB = 400;
        private int maxMemoryMiB;
        private int vcpus = 2;
        private Boot boot = new DiskBoot();
        private final List<VolumeSpec> volumes = new ArrayList<>();
        private final List<NetworkLink> networks = new ArrayList<>();
        private boolean providesNetwork;
        private final List<ChannelSpec> channels = new ArrayList<>();
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder(String name, UUID uuid, Path runDirectory) {
            this.name = name;
            this.uuid = uuid;
            this.runDirectory = runDirectory;
        }

        public Builder memory(int memoryMiB, int maxMemoryMiB) {
            this.memoryMiB = memoryMiB;
            this.maxMemoryMiB = maxMemoryMiB;
            return this;
        }

        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        public Builder boot(Boot boot) {
            this.boot = boot;
            return this;
        }

        public Builder volume(VolumeSpec volume) {
            volumes.add(volume);
            return this;
        }

        public Builder network(NetworkLink link) {
            networks.add(link);
            return this;
        }

        public Builder providesNetwork(boolean providesNetwork) {
            this.providesNetwork = providesNetwork;
            return this;
        }

        public Builder channel(String channelName) {
            channels.add(new ChannelSpec(channelName));
            return this;
        }

        public Builder option(String key, String value) {
            options.put(key, value);
            return this;
        }

        public DomainSpec build() {
            return new DomainSpec(name, uuid, memoryMiB, maxMemoryMiB, vcpus, boot, volumes, networks,
                    providesNetwork, channels, runDirectory, options);
        }
    }
}
