package io.bulkhead.hal.xen.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkhead.core.domains.QubeNames;
import io.bulkhead.core.domains.hal.Accelerator;
import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.CapabilityNotSupportedException;
import io.bulkhead.core.domains.hal.ChannelSpec;
import io.bulkhead.core.domains.hal.DeviceSpec;
import io.bulkhead.core.domains.hal.DomainChannel;
import io.bulkhead.core.domains.hal.DomainNotFoundException;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.DomainStateListener;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.domains.hal.HypervisorCapabilities;
import io.bulkhead.core.domains.hal.HypervisorException;
import io.bulkhead.core.domains.hal.ListenerRegistration;
import io.bulkhead.core.domains.hal.NetworkLink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The Xen backend, the Qubes-native one: every qube is a Xen domain managed through the xl
 * toolstack (one xl process per operation), its channels are vchans opened with libxenvchan.
 *
 * <p>Registered as {@link Hypervisor} with {@code hypervisor=xen}. Activation touches neither xl
 * nor native code, so selecting this backend on a machine without Xen only makes qube starts
 * fail, naming what is missing. Xen domains outlive dom0's JVM: deactivation leaves them
 * running, and {@link #state(String)} / {@link #domains()} adopt them again afterwards.
 *
 * <p>State changes nobody asked for (guest power-off, crash) are noticed by polling
 * {@code xl list -v} while this backend tracks running domains. A crashed domain is kept by Xen
 * ({@code on_crash="preserve"}) until the poller has seen it, reported it and destroyed it.
 */
@Component(service = Hypervisor.class, property = Hypervisor.SERVICE_PROPERTY + "=" + XenHypervisor.ID,
        configurationPid = XenHypervisor.PID)
@Designate(ocd = XenConfiguration.class)
public final class XenHypervisor implements Hypervisor, AutoCloseable {

    static final String ID = "xen";
    static final String PID = "io.bulkhead.hal.xen";

    private static final Duration DESTROY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * A domain this backend watches: started or restored by it, or adopted from a query. While
     * a host command runs on it ({@link #busy}), and for any poll snapshot taken before that
     * command ended ({@link #version}), the poller leaves it alone: the command reports itself.
     */
    private static final class Tracked {
        final int domid;
        volatile DomainState state;
        volatile String expectedEnd;
        final java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
        volatile long version;

        Tracked(int domid, DomainState state) {
            this.domid = domid;
            this.state = state;
        }

        void begin() {
            busy.incrementAndGet();
        }

        void end() {
            version++;
            busy.decrementAndGet();
        }
    }

    private final XenConfiguration config;
    private final XlConfig.Settings settings;
    private final XenHost host;
    private final VchanConnector vchans;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, DomainSpec> definitions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, XenPciDevice>> coldPlugged = new ConcurrentHashMap<>();
    private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
    private final Map<String, VchanDomainChannel> openChannels = new ConcurrentHashMap<>();
    private final Map<String, Object> lifecycleLocks = new ConcurrentHashMap<>();
    private final List<DomainStateListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(daemon("hal-xen-events"));
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(daemon("hal-xen-poller"));
    private volatile boolean active = true;

    @Activate
    public XenHypervisor(XenConfiguration config) {
        this.config = config;
        this.settings = XlConfig.Settings.of(config);
        checkConfiguration(config);
        this.host = new XenHost(config.xlPath(), Path.of(config.xenDeviceDirectory()), System.getenv("PATH"));
        this.vchans = new VchanConnector(config.vchanLibrary(), Path.of(config.xenDeviceDirectory()));
        poller.scheduleWithFixedDelay(this::pollSafely, config.pollIntervalMillis(), config.pollIntervalMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** For use outside OSGi (tests, tools): configuration keys as in {@link XenConfiguration}. */
    public static XenHypervisor create(Map<String, ?> configuration) {
        return new XenHypervisor(Configurations.of(XenConfiguration.class, configuration));
    }

    @Deactivate
    public void deactivate() {
        close();
    }

    /** Stops watching domains and closes open channels; the domains themselves keep running. Idempotent. */
    @Override
    public void close() {
        if (!active) {
            return;
        }
        active = false;
        poller.shutdownNow();
        for (VchanDomainChannel channel : List.copyOf(openChannels.values())) {
            channel.close();
        }
        notifier.shutdown();
        listeners.clear();
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * Xen pauses, saves/restores (xl save/restore), passes PCI devices through (xl pci-attach) and
     * hot-plugs disks (xl block-attach); USB goes through the USB qube in Qubes, not the
     * hypervisor, so it is not offered.
     */
    @Override
    public HypervisorCapabilities capabilities() {
        return new HypervisorCapabilities(Accelerator.XEN, EnumSet.of(Capability.PAUSE, Capability.SNAPSHOT,
                Capability.PCI_PASSTHROUGH, Capability.BLOCK_HOTPLUG, Capability.MEMORY_BALLOONING,
                Capability.KERNEL_BOOT, Capability.DISK_BOOT, Capability.NETWORK));
    }

    @Override
    public void define(DomainSpec spec) {
        ensureActive();
        synchronized (lock(spec.name())) {
            // render once so that bad names, paths and MACs fail here, before any xl call
            XlConfig.render(spec, settings, coldPlug(spec.name()));
            DomainState now = state(spec.name());
            if (now != DomainState.SHUTOFF) {
                throw new HypervisorException(spec.name(), "cannot redefine domain " + spec.name() + ": it is " + now);
            }
            definitions.put(spec.name(), spec);
        }
    }

    @Override
    public void undefine(String name) {
        synchronized (lock(name)) {
            DomainState now = state(name);
            if (now != DomainState.SHUTOFF) {
                throw new HypervisorException(name, "cannot undefine domain " + name + ": it is " + now);
            }
            DomainSpec spec = definitions.remove(name);
            coldPlugged.remove(name);
            if (spec != null) {
                deleteQuietly(configFile(spec));
            }
        }
    }

    @Override
    public void start(String name) {
        ensureActive();
        DomainSpec spec = definitions.get(name);
        if (spec == null) {
            throw new DomainNotFoundException(ID, name);
        }
        launch(spec, Optional.empty());
    }

    @Override
    public void pause(String name) {
        Xl xl = requireRunning(name, "pause");
        runExpecting(name, DomainState.PAUSED, "paused by host", () -> run(xl, name, "pause", "pause", name));
    }

    @Override
    public void unpause(String name) {
        Xl xl = requireRunning(name, "unpause");
        runExpecting(name, DomainState.RUNNING, "resumed by host", () -> run(xl, name, "unpause", "unpause", name));
    }

    @Override
    public boolean shutdown(String name, Duration timeout) {
        if (!host.usable()) {
            return true;
        }
        Xl xl = xl(name, "shut down");
        XlListTable.Row row = table(xl, name).get(name);
        if (row == null) {
            forget(name, "not running");
            return true;
        }
        Tracked watched = adopt(row);
        watched.begin();
        try {
            watched.expectedEnd = "shut down by host";
            transition(name, DomainState.SHUTTING_DOWN, "shutdown requested");
            // -F: HVM guests without PV drivers get an ACPI power button instead
            run(xl, name, "shut down", "shutdown", "-F", name);
            boolean stopped = timeout.isZero() || timeout.isNegative() ? !table(xl, name).containsKey(name)
                    : awaitGone(xl, name, timeout);
            if (stopped) {
                gone(name, watched, DomainState.SHUTOFF, "shut down by host");
            }
            return stopped;
        } finally {
            watched.end();
        }
    }

    @Override
    public void kill(String name) {
        if (!host.usable()) {
            return;
        }
        Xl xl = xl(name, "kill");
        XlListTable.Row row = table(xl, name).get(name);
        if (row == null) {
            forget(name, "not running");
            return;
        }
        Tracked watched = adopt(row);
        watched.begin();
        try {
            watched.expectedEnd = "killed by host";
            transition(name, DomainState.DYING, "killed by host");
            run(xl, name, "kill", "destroy", name);
            if (!awaitGone(xl, name, DESTROY_TIMEOUT)) {
                throw new HypervisorException(name, "domain " + name + " is still listed by xl "
                        + DESTROY_TIMEOUT.toSeconds() + " s after `xl destroy`");
            }
            gone(name, watched, DomainState.SHUTOFF, "killed by host");
        } finally {
            watched.end();
        }
    }

    /** @return the state xl reports; {@link DomainState#SHUTOFF} when absent or when this is no Xen dom0 */
    @Override
    public DomainState state(String name) {
        if (!host.usable() || !QubeNames.isValid(name)) {
            return DomainState.SHUTOFF;
        }
        XlListTable.Row row = table(xl(name, "query"), name).get(name);
        if (row == null) {
            return DomainState.SHUTOFF;
        }
        adopt(row);
        return row.state();
    }

    @Override
    public Map<String, DomainState> domains() {
        Map<String, DomainState> all = new LinkedHashMap<>();
        definitions.keySet().forEach(name -> all.put(name, DomainState.SHUTOFF));
        if (!host.usable()) {
            return all;
        }
        Xl xl = xl(null, "list");
        Map<String, XlListJson.Domain> configured = json(xl, null);
        Map<String, XlListTable.Row> rows = table(xl, null);
        for (XlListJson.Domain domain : configured.values()) {
            XlListTable.Row row = rows.get(domain.name());
            // stub domains (NAME-dm) carry no stored configuration of their own
            if (row != null && row.domid() == domain.domid() && !domain.name().endsWith("-dm")) {
                all.put(domain.name(), row.state());
                if (definitions.containsKey(domain.name())) {
                    adopt(row);
                }
            }
        }
        return all;
    }

    @Override
    public void saveSnapshot(String name, Path file) {
        Xl xl = requireRunning(name, "save a snapshot of");
        XlListTable.Row row = table(xl, name).get(name);
        if (row == null || (row.state() != DomainState.RUNNING && row.state() != DomainState.PAUSED)) {
            throw new HypervisorException(name, "cannot snapshot domain " + name + " while it is "
                    + (row == null ? DomainState.SHUTOFF : row.state()));
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new HypervisorException(name, "cannot save a snapshot of domain " + name + " to " + file + ": " + e, e);
        }
        Tracked watched = adopt(row);
        watched.begin();
        try {
            run(xl, name, "save a snapshot of", "save", name, file.toAbsolutePath().toString());
            watched.expectedEnd = "state saved to " + file;
            if (!awaitGone(xl, name, DESTROY_TIMEOUT)) {
                throw new HypervisorException(name, "domain " + name + " is still listed after `xl save`");
            }
            gone(name, watched, DomainState.SHUTOFF, "state saved to " + file);
        } finally {
            watched.end();
        }
    }

    @Override
    public void restoreSnapshot(DomainSpec spec, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new HypervisorException(spec.name(), "cannot restore domain " + spec.name() + ": snapshot file "
                    + file + " does not exist");
        }
        define(spec);
        launch(spec, Optional.of(file));
    }

    @Override
    public void attachDevice(String name, DeviceSpec device) {
        ensureActive();
        switch (device.deviceClass()) {
            case "pci" -> attachPci(name, XenPciDevice.of(device));
            case "block" -> {
                Xl xl = requireRunning(name, "attach a block device to");
                XlListJson.Domain domain = configured(xl, name);
                Set<String> used = domain.disks().stream().map(XlListJson.Disk::vdev).collect(Collectors.toSet());
                XenDisk disk = XenDisk.forBlockDevice(device, used);
                run(xl, name, "attach block device " + device.backendDomain() + ":" + device.port() + " to",
                        "block-attach", name, disk.spec());
            }
            case "usb" -> throw new CapabilityNotSupportedException(ID, Capability.USB_PASSTHROUGH, name);
            default -> throw new HypervisorException(name, "device class '" + XenNames.printable(device.deviceClass())
                    + "' is not supported by the xen backend (it attaches pci and block devices)");
        }
    }

    @Override
    public void detachDevice(String name, DeviceSpec device) {
        ensureActive();
        switch (device.deviceClass()) {
            case "pci" -> detachPci(name, XenPciDevice.of(device));
            case "block" -> {
                Xl xl = requireRunning(name, "detach a block device from");
                XenDisk wanted = XenDisk.forBlockDevice(new DeviceSpec("block", device.backendDomain(), device.port(),
                        Map.of()), Set.of());
                Optional<String> frontend = Optional.ofNullable(device.options().get("frontend-dev"));
                String backend = device.backendDomain();
                XlListJson.Disk disk = configured(xl, name).disks().stream()
                        .filter(d -> d.target().equals(wanted.target()))
                        .filter(d -> d.backendDomain().orElse(XenNames.DOM0).equals(backend))
                        .filter(d -> frontend.isEmpty() || frontend.get().equals(d.vdev()))
                        .findFirst()
                        .orElseThrow(() -> new HypervisorException(name, "block device " + backend + ":" + device.port()
                                + " is not attached to domain " + name));
                run(xl, name, "detach block device " + backend + ":" + device.port() + " from", "block-detach", name,
                        disk.vdev());
            }
            case "usb" -> throw new CapabilityNotSupportedException(ID, Capability.USB_PASSTHROUGH, name);
            default -> throw new HypervisorException(name, "device class '" + XenNames.printable(device.deviceClass())
                    + "' is not supported by the xen backend (it detaches pci and block devices)");
        }
    }

    /**
     * Opens the vchan of a channel: qrexec (port 512, the qube's agent serves, dom0 connects) or
     * qubesdb (port 111, dom0 serves). A client waits up to channelConnectTimeoutSeconds for the
     * qube's end to appear.
     */
    @Override
    public DomainChannel openChannel(String name, String channelName) throws IOException {
        ensureActive();
        VchanPort port = VchanPort.forChannel(channelName).orElseThrow(() -> new HypervisorException(name,
                "the xen backend has no vchan for channel '" + XenNames.printable(channelName) + "' (it knows "
                        + ChannelSpec.QREXEC + " and " + ChannelSpec.QUBESDB + ")"));
        DomainSpec spec = definitions.get(name);
        if (spec != null && !spec.hasChannel(channelName)) {
            throw new HypervisorException(name, "domain " + name + " has no channel '" + channelName + "' (it has: "
                    + spec.channels().stream().map(ChannelSpec::name).collect(Collectors.joining(", ")) + ")");
        }
        List<String> missing = vchans.missing();
        if (!missing.isEmpty()) {
            throw new HypervisorException(name, "cannot open channel " + channelName + " of domain " + name + ": "
                    + String.join("; ", missing));
        }
        Xl xl = xl(name, "open channel " + channelName + " of");
        XlListTable.Row row = table(xl, name).get(name);
        if (row == null) {
            throw new HypervisorException(name, "cannot open channel " + channelName + ": domain " + name
                    + " is not running");
        }
        Tracked watched = adopt(row);
        String key = name + "/" + channelName;
        synchronized (lock(key)) {
            VchanDomainChannel open = openChannels.get(key);
            if (open != null && open.isOpen()) {
                throw new HypervisorException(name, "channel " + channelName + " of domain " + name
                        + " is already open (a vchan takes one connection at a time)");
            }
            VchanEndpoint endpoint = vchans.open(name, row.domid(), port,
                    Duration.ofSeconds(config.channelConnectTimeoutSeconds()),
                    () -> tracked.get(name) == watched && active);
            VchanDomainChannel[] holder = new VchanDomainChannel[1];
            holder[0] = new VchanDomainChannel(name, channelName, endpoint, () -> openChannels.remove(key, holder[0]));
            openChannels.put(key, holder[0]);
            return holder[0];
        }
    }

    @Override
    public ListenerRegistration addStateListener(DomainStateListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The guest console as xenconsoled logs it (when started with {@code --log=guest}). */
    @Override
    public Optional<Path> consoleLog(String name) {
        XenNames.require("domain", name);
        Path log = Path.of(config.consoleLogDirectory()).resolve("guest-" + name + ".log");
        return Files.isRegularFile(log) ? Optional.of(log) : Optional.empty();
    }

    // ---- launching ------------------------------------------------------------------------------

    private void launch(DomainSpec spec, Optional<Path> snapshot) {
        String name = spec.name();
        String action = snapshot.isPresent() ? "restore" : "start";
        synchronized (lock(name)) {
            Xl xl = xl(name, action);
            Map<String, XlListTable.Row> rows = table(xl, name);
            XlListTable.Row existing = rows.get(name);
            if (existing != null) {
                throw new HypervisorException(name, "cannot " + action + " domain " + name + ": it is already "
                        + existing.state() + " under Xen (domid " + existing.domid() + ")");
            }
            for (NetworkLink link : spec.networks()) {
                if (!rows.containsKey(link.backendDomain())) {
                    throw new HypervisorException(name, "cannot " + action + " domain " + name + ": its netvm '"
                            + link.backendDomain() + "' is not running");
                }
            }
            Path cfg = writeConfig(spec, XlConfig.render(spec, settings, coldPlug(name)));
            fire(name, DomainState.STARTING, snapshot.map(f -> "restoring from " + f).orElse("booting"));
            try {
                if (snapshot.isPresent()) {
                    run(xl, name, action, "restore", "-p", cfg.toString(), snapshot.get().toAbsolutePath().toString());
                } else {
                    run(xl, name, action, "create", cfg.toString());
                }
            } catch (HypervisorException e) {
                destroyQuietly(xl, name);
                fire(name, DomainState.SHUTOFF, action + " failed");
                throw new HypervisorException(name, e.getMessage() + "\n  (xl also logs to /var/log/xen/xl-" + name
                        + ".log)", e);
            }
            XlListTable.Row row = table(xl, name).get(name);
            if (row == null) {
                fire(name, DomainState.SHUTOFF, action + " failed");
                throw new HypervisorException(name, "xl reported success but domain " + name + " is not listed "
                        + "(see /var/log/xen/xl-" + name + ".log)");
            }
            Tracked watched = new Tracked(row.domid(), row.state());
            tracked.put(name, watched);
            fire(name, row.state(), snapshot.map(f -> "restored from " + f).orElse("booted") + " (domid "
                    + row.domid() + ")");
        }
    }

    private Path configFile(DomainSpec spec) {
        return config.runDirectory().isBlank() ? spec.runDirectory().resolve("xl.cfg")
                : Path.of(config.runDirectory()).resolve(spec.name() + ".cfg");
    }

    /** Writes the xl.cfg atomically (temporary file, then rename), readable by its owner only. */
    private Path writeConfig(DomainSpec spec, String text) {
        Path file = configFile(spec);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), "." + spec.name() + "-", ".cfg.tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temporary, text, StandardCharsets.UTF_8);
                try {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            return file;
        } catch (IOException e) {
            throw new HypervisorException(spec.name(), "cannot write the xl configuration " + file + " of domain "
                    + spec.name() + ": " + e, e);
        }
    }

    // ---- devices ----------------------------------------------------------------------------------

    private void attachPci(String name, XenPciDevice pci) {
        synchronized (lock(name)) {
            if (host.usable()) {
                Xl xl = xl(name, "attach a PCI device to");
                XlListTable.Row row = table(xl, name).get(name);
                if (row != null) {
                    if (configured(xl, name).type().orElse(null) == VirtMode.PVH) {
                        throw new HypervisorException(name, "cannot attach PCI device " + pci.bdf() + " to domain "
                                + name + ": Xen does not pass PCI devices to PVH domains; set virt_mode to hvm");
                    }
                    run(xl, name, "attach PCI device " + pci.bdf() + " to", "pci-attach", name, pci.spec());
                    return;
                }
            }
            // halted: cold-plug at the next start (pci= in xl.cfg); see README, "SPI gaps"
            DomainSpec spec = definitions.get(name);
            if (spec == null) {
                throw new DomainNotFoundException(ID, name);
            }
            Map<String, XenPciDevice> devices = new LinkedHashMap<>(coldPlugged.getOrDefault(name, Map.of()));
            devices.put(pci.bdf(), pci);
            XlConfig.render(spec, settings, List.copyOf(devices.values()));
            coldPlugged.put(name, devices);
        }
    }

    private void detachPci(String name, XenPciDevice pci) {
        synchronized (lock(name)) {
            if (host.usable()) {
                Xl xl = xl(name, "detach a PCI device from");
                XlListTable.Row row = table(xl, name).get(name);
                if (row != null) {
                    if (!configured(xl, name).pci().contains(pci.bdf())) {
                        throw new HypervisorException(name, "PCI device " + pci.bdf() + " is not attached to domain "
                                + name);
                    }
                    run(xl, name, "detach PCI device " + pci.bdf() + " from", "pci-detach", name, pci.bdf());
                    return;
                }
            }
            if (!definitions.containsKey(name)) {
                throw new DomainNotFoundException(ID, name);
            }
            Map<String, XenPciDevice> devices = coldPlugged.get(name);
            if (devices == null || devices.remove(pci.bdf()) == null) {
                throw new HypervisorException(name, "PCI device " + pci.bdf() + " is not assigned to domain " + name);
            }
        }
    }

    private List<XenPciDevice> coldPlug(String name) {
        return List.copyOf(coldPlugged.getOrDefault(name, Map.of()).values());
    }

    // ---- watching -------------------------------------------------------------------------------

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            System.getLogger(PID).log(System.Logger.Level.WARNING, "polling Xen domains failed: " + e.getMessage());
        }
    }

    /** One round of the poller: reports what changed since the last round for every tracked domain. */
    void poll() {
        if (!active || tracked.isEmpty() || !host.usable()) {
            return;
        }
        // which domains, in which version, this snapshot may judge: none with a command under way
        Map<String, Tracked> judged = new LinkedHashMap<>();
        Map<Tracked, Long> versions = new java.util.IdentityHashMap<>();
        tracked.forEach((name, watched) -> {
            if (watched.busy.get() == 0) {
                judged.put(name, watched);
                versions.put(watched, watched.version);
            }
        });
        if (judged.isEmpty()) {
            return;
        }
        Xl xl = xl(null, "poll");
        Map<String, XlListTable.Row> rows = table(xl, null);
        for (Map.Entry<String, Tracked> entry : judged.entrySet()) {
            String name = entry.getKey();
            Tracked watched = entry.getValue();
            if (tracked.get(name) != watched || watched.busy.get() > 0 || watched.version != versions.get(watched)) {
                continue;
            }
            XlListTable.Row row = rows.get(name);
            if (row == null || row.domid() != watched.domid) {
                String expected = watched.expectedEnd;
                gone(name, watched, DomainState.SHUTOFF, expected != null ? expected : "domain ended (guest powered off)");
                continue;
            }
            DomainState now = row.state();
            if (now == DomainState.CRASHED) {
                destroyQuietly(xl, name);
                gone(name, watched, DomainState.CRASHED, "guest " + row.shutdownReason() + " (domid " + row.domid()
                        + ", destroyed)");
            } else if (watched.expectedEnd != null && (now == DomainState.RUNNING || now == DomainState.PAUSED)) {
                // the host asked it to end; xl shows it running until the guest acts
            } else if (now != watched.state) {
                watched.state = now;
                fire(name, now, now == DomainState.SHUTTING_DOWN ? "guest " + row.shutdownReason() : "reported by xl");
            }
        }
    }

    private Tracked adopt(XlListTable.Row row) {
        Tracked watched = tracked.get(row.name());
        if (watched == null || watched.domid != row.domid()) {
            watched = new Tracked(row.domid(), row.state());
            tracked.put(row.name(), watched);
        }
        return watched;
    }

    /** The domain {@code watched} is over: stop tracking it, close its channels, report once. */
    private void gone(String name, Tracked watched, DomainState end, String reason) {
        if (!tracked.remove(name, watched)) {
            return;
        }
        for (Map.Entry<String, VchanDomainChannel> channel : List.copyOf(openChannels.entrySet())) {
            if (channel.getKey().startsWith(name + "/")) {
                channel.getValue().close();
            }
        }
        fire(name, end, reason);
    }

    private void forget(String name, String reason) {
        Tracked watched = tracked.get(name);
        if (watched != null) {
            gone(name, watched, DomainState.SHUTOFF, watched.expectedEnd != null ? watched.expectedEnd : reason);
        }
    }

    /**
     * Runs a command that moves a tracked domain to {@code state}, telling the poller first so it
     * does not report the change as its own, and reports it once the command succeeded.
     */
    private void runExpecting(String name, DomainState state, String reason, Runnable command) {
        Tracked watched = tracked.get(name);
        if (watched == null) {
            command.run();
            fire(name, state, reason);
            return;
        }
        DomainState before = watched.state;
        watched.begin();
        try {
            watched.state = state;
            command.run();
        } catch (RuntimeException e) {
            watched.state = before;
            throw e;
        } finally {
            watched.end();
        }
        if (before != state) {
            fire(name, state, reason);
        }
    }

    private void transition(String name, DomainState state, String reason) {
        Tracked watched = tracked.get(name);
        if (watched != null) {
            if (watched.state == state) {
                return;
            }
            watched.state = state;
        }
        fire(name, state, reason);
    }

    private void fire(String name, DomainState state, String reason) {
        if (listeners.isEmpty() || notifier.isShutdown()) {
            return;
        }
        notifier.execute(() -> {
            for (DomainStateListener listener : listeners) {
                try {
                    listener.stateChanged(name, state, reason);
                } catch (RuntimeException e) {
                    System.getLogger(PID).log(System.Logger.Level.WARNING, "state listener failed for " + name, e);
                }
            }
        });
    }

    // ---- xl -------------------------------------------------------------------------------------

    /** @return the xl runner, or throws naming everything that is missing for Xen on this machine */
    private Xl xl(String name, String action) {
        ensureActive();
        if (name != null) {
            XenNames.require("domain", name); // it becomes an xl argument
        }
        List<String> missing = host.missingForDomains();
        if (!missing.isEmpty()) {
            throw new HypervisorException(name, "cannot " + action + (name == null ? "" : " domain " + name)
                    + " with the xen backend: " + String.join("; ", missing) + ". " + XenHost.INSTALL_HINT);
        }
        return new Xl(host.locateXl().orElseThrow(), Duration.ofSeconds(config.commandTimeoutSeconds()));
    }

    private Xl requireRunning(String name, String action) {
        ensureActive();
        if (!host.usable()) {
            if (!definitions.containsKey(name)) {
                throw new DomainNotFoundException(ID, name);
            }
            throw new HypervisorException(name, "cannot " + action + " domain " + name + ": it is not running ("
                    + String.join("; ", host.missingForDomains()) + ")");
        }
        Xl xl = xl(name, action);
        XlListTable.Row row = table(xl, name).get(name);
        if (row == null) {
            if (!definitions.containsKey(name)) {
                throw new DomainNotFoundException(ID, name);
            }
            throw new HypervisorException(name, "cannot " + action + " domain " + name + ": it is not running");
        }
        adopt(row);
        return xl;
    }

    private Xl.Result run(Xl xl, String name, String action, String... args) {
        try {
            return xl.run(args);
        } catch (XlException e) {
            throw new HypervisorException(name, "cannot " + action + (name == null ? "" : " domain " + name) + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(name, "interrupted while running xl " + String.join(" ", args), e);
        }
    }

    private Map<String, XlListTable.Row> table(Xl xl, String name) {
        String output = run(xl, name, "list domains for", "list", "-v").stdout();
        try {
            return XlListTable.parse(output);
        } catch (IllegalArgumentException e) {
            throw new HypervisorException(name, e.getMessage(), e);
        }
    }

    private Map<String, XlListJson.Domain> json(Xl xl, String name) {
        String output = run(xl, name, "list domain configurations for", "list", "-l").stdout();
        try {
            return XlListJson.parse(mapper, output);
        } catch (IllegalArgumentException e) {
            throw new HypervisorException(name, e.getMessage(), e);
        }
    }

    private XlListJson.Domain configured(Xl xl, String name) {
        XlListJson.Domain domain = json(xl, name).get(name);
        if (domain == null) {
            throw new HypervisorException(name, "`xl list -l` has no configuration of domain " + name);
        }
        return domain;
    }

    private boolean awaitGone(Xl xl, String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long step = Math.max(10, Math.min(200, config.pollIntervalMillis()));
        while (true) {
            if (!table(xl, name).containsKey(name)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(step);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private void destroyQuietly(Xl xl, String name) {
        try {
            if (table(xl, name).containsKey(name)) {
                xl.run("destroy", name);
            }
        } catch (XlException | RuntimeException e) {
            System.getLogger(PID).log(System.Logger.Level.WARNING, "cannot destroy domain " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static void checkConfiguration(XenConfiguration config) {
        List<String> problems = new ArrayList<>();
        if (config.pollIntervalMillis() <= 0) {
            problems.add("pollIntervalMillis must be > 0, not " + config.pollIntervalMillis());
        }
        if (config.commandTimeoutSeconds() <= 0) {
            problems.add("commandTimeoutSeconds must be > 0, not " + config.commandTimeoutSeconds());
        }
        if (config.channelConnectTimeoutSeconds() < 0) {
            problems.add("channelConnectTimeoutSeconds must be >= 0, not " + config.channelConnectTimeoutSeconds());
        }
        if (config.xlPath().isBlank()) {
            problems.add("xlPath must not be empty");
        }
        if (!Path.of(config.xenDeviceDirectory()).isAbsolute()) {
            problems.add("xenDeviceDirectory must be an absolute path, not '" + config.xenDeviceDirectory() + "'");
        }
        if (!config.runDirectory().isBlank() && !Path.of(config.runDirectory()).isAbsolute()) {
            problems.add("runDirectory must be empty or an absolute path, not '" + config.runDirectory() + "'");
        }
        try {
            XenVif.requireScript(config.vifScript());
            XlSyntax.requireRepresentable("kernelBaseOptions", config.kernelBaseOptions());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration of " + PID + ": " + String.join("; ", problems));
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort clean-up
        }
    }

    private Object lock(String name) {
        return lifecycleLocks.computeIfAbsent(name, n -> new Object());
    }

    private void ensureActive() {
        if (!active) {
            throw new HypervisorException(null, "the xen hypervisor backend has been deactivated");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
