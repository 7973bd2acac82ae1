package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.Accelerator;
import io.bulkhead.core.domains.hal.ChannelSpec;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Renders a {@link DomainSpec} into a {@code qemu-system-x86_64} argument list. Pure: no file
 * system or process access, so every rule here is unit-tested.
 *
 * <p>Layout of a domain: QMP on {@code qmp.sock}; the serial console into {@code console.log};
 * one virtio-serial port per channel, named like the channel, whose host side is
 * {@code ch-NAME.sock}; one virtio-blk disk per volume with {@code serial=} the volume name (the
 * guest finds its disks by serial, not by order); uplinks as stream netdevs connecting to the
 * netvm's listening socket. Confinement: {@code -sandbox} with every optional denial, and
 * {@code -runas} when dom0 runs as root.
 */
final class QemuCommandLine {

    /** Option of {@link DomainSpec#options()} forcing the machine: {@code microvm} or {@code q35}. */
    static final String OPTION_MACHINE = "qemu-machine";
    /** Qubes' virtualisation mode property; {@code hvm} selects q35. */
    static final String OPTION_VIRT_MODE = "virt_mode";

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final int VIRTIO_BLK_SERIAL_MAX = 20;

    /**
     * Host-wide settings of a launch.
     *
     * @param binary      the QEMU executable
     * @param accelerator {@link Accelerator#KVM}, {@link Accelerator#PVM} or {@link Accelerator#TCG}
     * @param runAsUser   unprivileged user QEMU switches to ({@code -runas}); empty when dom0 is not root
     * @param tscKhz      host TSC frequency, given to microvm guests under TCG ({@code tsc_early_khz})
     *                    because their PIT calibration hangs about one boot in three
     */
    record Host(Path binary, Accelerator accelerator, Optional<String> runAsUser, OptionalLong tscKhz) {
        Host {
            if (accelerator != Accelerator.KVM && accelerator != Accelerator.PVM && accelerator != Accelerator.TCG) {
                throw new IllegalArgumentException("QEMU runs with kvm, pvm or tcg, not " + accelerator);
            }
        }
    }

    /**
     * One launch of a domain.
     *
     * @param spec          the domain
     * @param files         its run directory
     * @param incoming      start paused, waiting for a snapshot stream ({@code -incoming defer -S})
     * @param uplinkSockets for each {@link NetworkLink#backendDomain()}, the socket its netvm listens on
     */
    record Launch(DomainSpec spec, RunFiles files, boolean incoming, Map<String, Path> uplinkSockets) {
        Launch {
            uplinkSockets = Map.copyOf(uplinkSockets);
        }
    }

    private QemuCommandLine() {
    }

    /** Chooses the machine type of a domain; see {@link Machine}. */
    static Machine machineFor(DomainSpec spec) {
        String forced = spec.options().get(OPTION_MACHINE);
        if (forced != null) {
            return switch (forced) {
                case "microvm" -> requireKernelBoot(spec, Machine.MICROVM);
                case "q35" -> Machine.Q35;
                default -> throw new IllegalArgumentException("domain " + spec.name() + ": option " + OPTION_MACHINE
                        + " must be microvm or q35, not '" + forced + "'");
            };
        }
        if (spec.boot() instanceof DomainSpec.DiskBoot || "hvm".equals(spec.options().get(OPTION_VIRT_MODE))
                || spec.providesNetwork()) {
            // firmware boot, HVM semantics, or a netvm that needs NICs hot-plugged per client
            return Machine.Q35;
        }
        return Machine.MICROVM;
    }

    private static Machine requireKernelBoot(DomainSpec spec, Machine machine) {
        if (!(spec.boot() instanceof DomainSpec.KernelBoot)) {
            throw new IllegalArgumentException("domain " + spec.name() + ": microvm has no firmware, it needs a kernel to boot");
        }
        return machine;
    }

    /** @return the complete argument list, starting with the binary */
    static List<String> render(Host host, Launch launch) {
        DomainSpec spec = launch.spec();
        RunFiles files = launch.files();
        Machine machine = machineFor(spec);
        List<String> args = new ArrayList<>();
        args.add(host.binary().toString());
        add(args, "-name", "guest=" + escape(spec.name()));
        add(args, "-uuid", spec.uuid().toString());
        args.addAll(List.of("-nodefaults", "-no-user-config", "-no-reboot", "-display", "none"));
        add(args, "-msg", "timestamp=on");
        add(args, "-machine", machine.qemuName());
        add(args, "-accel", host.accelerator() == Accelerator.TCG ? "tcg" : "kvm");
        if (host.accelerator() == Accelerator.KVM) {
            add(args, "-cpu", "host");
        }
        add(args, "-m", spec.memoryMiB() + "M");
        add(args, "-smp", Integer.toString(spec.vcpus()));

        if (spec.boot() instanceof DomainSpec.KernelBoot kernel) {
            add(args, "-kernel", kernel.kernel().toString());
            kernel.initrd().ifPresent(initrd -> add(args, "-initrd", initrd.toString()));
            add(args, "-append", kernelCommandLine(host, machine, spec, kernel.cmdline()));
        }

        add(args, "-chardev", "file,id=console,path=" + escape(files.consoleLog().toString()));
        add(args, "-serial", "chardev:console");
        add(args, "-chardev", "socket,id=qmp,path=" + escape(files.qmpSocket().toString()) + ",server=on,wait=off");
        add(args, "-mon", "chardev=qmp,mode=control");

        // Entropy from QEMU: without it the guest's CRNG takes over a second to initialise under
        // TCG, and everything reading /dev/urandom early (mkswap, the JVM) waits for it.
        add(args, "-object", "rng-builtin,id=rng0");
        add(args, "-device", machine.rngDevice() + ",rng=rng0");

        boolean firstDisk = true;
        for (VolumeSpec volume : spec.volumes()) {
            String id = "vol-" + checkName(spec, "volume", volume.name());
            add(args, "-drive", "file=" + escape(volume.path().toString()) + ",if=none,id=" + id
                    + ",format=" + volume.format().qemuName() + ",readonly=" + (volume.readOnly() ? "on" : "off")
                    + ",cache=writeback,discard=unmap");
            String device = machine.blockDevice() + ",drive=" + id + ",serial=" + blockSerial(volume.name());
            if (firstDisk && spec.boot() instanceof DomainSpec.DiskBoot) {
                device += ",bootindex=0";
            }
            add(args, "-device", device);
            firstDisk = false;
        }

        if (!spec.channels().isEmpty()) {
            add(args, "-device", machine.serialBus() + ",id=vserial");
            for (ChannelSpec channel : spec.channels()) {
                String id = "ch-" + checkName(spec, "channel", channel.name());
                add(args, "-chardev", "socket,id=" + id + ",path=" + escape(files.channelSocket(channel.name()).toString())
                        + ",server=on,wait=off");
                add(args, "-device", "virtserialport,bus=vserial.0,chardev=" + id + ",name=" + channel.name());
            }
        }

        if (machine == Machine.Q35 && spec.providesNetwork()) {
            for (int port = 0; port < NetworkLinks.CLIENT_PORTS; port++) {
                add(args, "-device", "pcie-root-port,id=" + NetworkLinks.portId(port) + ",chassis=" + (port + 1));
            }
        }
        int index = 0;
        for (NetworkLink link : spec.networks()) {
            Path socket = launch.uplinkSockets().get(link.backendDomain());
            if (socket == null) {
                throw new IllegalArgumentException("domain " + spec.name() + ": no listening socket of netvm '"
                        + link.backendDomain() + "' for its uplink (is the netvm running?)");
            }
            String id = "uplink" + index++;
            add(args, "-netdev", "stream,id=" + id + ",server=off,addr.type=unix,addr.path=" + escape(socket.toString()));
            add(args, "-device", machine.netDevice() + ",netdev=" + id + ",mac=" + checkMac(spec, link.mac()));
        }

        add(args, "-sandbox", "on,obsolete=deny,elevateprivileges=" + (host.runAsUser().isPresent() ? "allow" : "deny")
                + ",spawn=deny,resourcecontrol=deny");
        // QEMU 7.2 installs the seccomp filter before -runas drops privileges, so with -runas the
        // set*id calls must stay allowed (elevateprivileges=deny or =children kill QEMU with SIGSYS).
        // After the drop QEMU has no uid 0 and no capabilities left, and spawn=deny stops execve.
        host.runAsUser().ifPresent(user -> add(args, "-runas", user));
        if (launch.incoming()) {
            add(args, "-incoming", "defer");
            args.add("-S");
        }
        return args;
    }

    /**
     * The guest command line: the spec's, plus what this backend's guests need and the spec
     * lacks: a serial console, under TCG a TSC kept as clocksource (and its frequency for microvm), and for the template's init
     * ({@code bulkhead.*}) the qube name and its network addresses ({@link GuestNetwork}).
     */
    static String kernelCommandLine(Host host, Machine machine, DomainSpec spec, String given) {
        List<String> words = new ArrayList<>();
        if (!given.isBlank()) {
            words.add(given.trim());
        }
        if (!given.contains("console=")) {
            words.add("console=ttyS0");
        }
        if (host.accelerator() == Accelerator.TCG && !given.contains("tsc=")) {
            // TCG's erratic timing makes the clocksource watchdog drop the TSC for a 4 ms jiffies
            // clock: every timed wait in the guest (the agent's included) would then round to 4 ms
            words.add("tsc=reliable");
        }
        if (machine == Machine.MICROVM && host.accelerator() == Accelerator.TCG && !given.contains("tsc_early_khz=")
                && host.tscKhz().isPresent()) {
            words.add("tsc_early_khz=" + host.tscKhz().getAsLong());
        }
        if (!given.contains("bulkhead.name=")) {
            words.add("bulkhead.name=" + spec.name());
        }
        words.addAll(GuestNetwork.kernelOptions(spec, given));
        return String.join(" ", words);
    }

    /** QEMU option values separate key=value pairs with commas; a literal comma is doubled. */
    static String escape(String value) {
        return value.replace(",", ",,");
    }

    private static String blockSerial(String volumeName) {
        return volumeName.length() <= VIRTIO_BLK_SERIAL_MAX ? volumeName : volumeName.substring(0, VIRTIO_BLK_SERIAL_MAX);
    }

    private static String checkName(DomainSpec spec, String kind, String name) {
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("domain " + spec.name() + ": " + kind + " name '" + name
                    + "' must match [A-Za-z0-9_.-]+");
        }
        return name;
    }

    private static String checkMac(DomainSpec spec, String mac) {
        if (!mac.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("domain " + spec.name() + ": MAC address '" + mac
                    + "' is not of the form xx:xx:xx:xx:xx:xx");
        }
        return mac;
    }

    private static void add(List<String> args, String option, String value) {
        args.add(option);
        args.add(value);
    }
}
