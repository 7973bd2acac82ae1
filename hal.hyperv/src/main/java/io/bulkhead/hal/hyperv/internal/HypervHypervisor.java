package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.support.MetatypeConfigurations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
 * The Hyper-V backend: every qube is a Generation 2 Hyper-V VM, driven by PowerShell scripts
 * ({@link Scripts}) that one long-lived PowerShell process runs locally or against a remote host.
 *
 * <p>Registered as {@link Hypervisor} with {@code hypervisor=hyperv}. Activation touches nothing
 * on the host: PowerShell and the Hyper-V module are looked for at the first operation, so a
 * machine without Hyper-V fails when a qube starts, with a message saying what is missing, while
 * {@link #state} and {@link #domains} quietly report nothing. VMs belong to Hyper-V, not to this
 * JVM: they keep running when the bundle stops and are found again through their Notes marker.
 */
@Component(service = Hypervisor.class, property = Hypervisor.SERVICE_PROPERTY + "=" + HypervHypervisor.ID,
        configurationPid = HypervHypervisor.PID)
@Designate(ocd = HypervConfiguration.class)
public final class HypervHypervisor implements Hypervisor, AutoCloseable {

    static final String ID = "hyperv";
    static final String PID = "io.bulkhead.hal.hyperv";

    /** Qube feature naming an existing host switch to connect an extra adapter to (the qube facing the real network). */
    static final String EXTERNAL_SWITCH_FEATURE = "hyperv-switch";

    private static final Duration CACHE_FRESHNESS = Duration.ofMillis(1000);
    private static final Duration SHUTDOWN_POLL = Duration.ofMillis(500);
    private static final long MIB = 1L << 20;

    /** What define() decided for a domain, kept for start, restore, stop clean-up and channels. */
    private record Definition(DomainSpec spec, String vmName, List<Scripts.NetvmPort> ports) {
    }

    private final HypervConfiguration config;
    private final HostAccess host;
    private final Platform platform;
    private final Scripts scripts;
    private final Optional<UUID> qrexecService;
    private final Optional<UUID> qubesdbService;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, Definition> definitions = new ConcurrentHashMap<>();
    private final Map<String, Object> lifecycleLocks = new ConcurrentHashMap<>();
    private final Map<String, DomainState> reported = new ConcurrentHashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final List<DomainStateListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(daemon("hal-hyperv-events"));
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(daemon("hal-hyperv-poll"));

    private volatile Map<String, VmRecord> records = Map.of();
    private volatile long refreshedAtNanos;
    private volatile boolean active = true;

    @Activate
    public HypervHypervisor(HypervConfiguration config) {
        this(config, HostAccess::processRunner, Platform.current());
    }

    HypervHypervisor(HypervConfiguration config, HostAccess.RunnerFactory runnerFactory, Platform platform) {
        this.config = config;
        this.host = new HostAccess(config, platform, runnerFactory, mapper);
        this.platform = platform;
        this.scripts = new Scripts(config.vhdxDirectory().trim());
        this.qrexecService = guid("qrexecServiceGuid", config.qrexecServiceGuid());
        this.qubesdbService = guid("qubesdbServiceGuid", config.qubesdbServiceGuid());
        if (!config.remoteMode().equals("session") && !config.remoteMode().equals("invoke")) {
            throw new IllegalArgumentException("configuration remoteMode must be session or invoke, not '"
                    + config.remoteMode() + "'");
        }
        long poll = Math.max(1, config.statePollSeconds());
        poller.scheduleWithFixedDelay(this::poll, poll, poll, TimeUnit.SECONDS);
    }

    /** For use outside OSGi (tests, tools): configuration keys as in {@link HypervConfiguration}. */
    public static HypervHypervisor create(Map<String, ?> configuration) {
        return new HypervHypervisor(MetatypeConfigurations.of(HypervConfiguration.class, configuration));
    }

    @Deactivate
    public void deactivate() {
        close();
    }

    /** Stops polling and the PowerShell process; the VMs themselves keep running. Idempotent. */
    @Override
    public void close() {
        if (!active) {
            return;
        }
        active = false;
        poller.shutdownNow();
        notifier.shutdown();
        listeners.clear();
        host.close();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public HypervisorCapabilities capabilities() {
        EnumSet<Capability> supported = EnumSet.of(Capability.PAUSE, Capability.SNAPSHOT, Capability.DISK_BOOT,
                Capability.NETWORK, Capability.MEMORY_BALLOONING);
        if (config.pciPassthrough()) {
            supported.add(Capability.PCI_PASSTHROUGH);
        }
        return new HypervisorCapabilities(Accelerator.HYPERV, supported);
    }

    /**
     * @return the elevated PowerShell command that registers the qrexec service GUID on the host
     *         (hvsocket refuses unregistered services)
     */
    public String qrexecServiceRegistration() {
        return ServiceRegistration.command(qrexecService.orElseThrow(() -> new IllegalStateException(
                "qrexecServiceGuid is not configured")), "Bulkhead qrexec");
    }

    // ---- definitions ------------------------------------------------------------------------------

    @Override
    public void define(DomainSpec spec) {
        ensureActive();
        String name = spec.name();
        if (spec.boot() instanceof DomainSpec.KernelBoot) {
            throw new KernelBootUnsupportedException(name);
        }
        List<DiskPlan> disks = DiskPlan.of(spec.volumes(), this::volatileSize);
        String vmName = vmName(name);
        PowerShellQuoting.literal("VM name", vmName);
        spec.networks().forEach(link -> LinkSwitch.hyperVMac(link.mac()));
        Optional<String> external = Optional.ofNullable(spec.options().get(EXTERNAL_SWITCH_FEATURE))
                .filter(s -> !s.isBlank());
        ready();
        synchronized (lock(name)) {
            busy.add(name);
            try {
                Map<String, VmRecord> now = refresh();
                VmRecord current = now.get(name);
                if (current != null && !current.state().off()) {
                    throw new HypervisorException(name, "cannot redefine domain " + name + ": it is "
                            + current.state().domainState() + " (Hyper-V state " + current.state().powerShellName() + ")");
                }
                List<Scripts.NetvmPort> ports = netvmPorts(spec, vmName, now);
                VmDefinition definition = new VmDefinition(vmName, spec.uuid(), memoryBytes(spec.memoryMiB()),
                        spec.maxMemoryMiB() > spec.memoryMiB() ? memoryBytes(spec.maxMemoryMiB()) : 0, spec.vcpus(),
                        disks, ports.stream().map(Scripts.NetvmPort::link).toList(), external,
                        spec.providesNetwork() ? Optional.of(spec.uuid()) : Optional.empty(),
                        config.secureBoot().equals("off") ? "" : config.secureBoot());
                Envelope result = execute(scripts.define(definition), name, "define domain " + name);
                remember(name, lastRecord(result, name));
                definitions.put(name, new Definition(spec, vmName, ports));
            } finally {
                busy.remove(name);
            }
        }
    }

    @Override
    public void undefine(String name) {
        ensureActive();
        synchronized (lock(name)) {
            Definition definition = definitions.get(name);
            Optional<PowerShell> available = readyQuietly();
            if (available.isEmpty()) {
                definitions.remove(name);
                return;
            }
            busy.add(name);
            try {
                VmRecord current = refresh().get(name);
                if (current != null && !current.state().off()) {
                    throw new HypervisorException(name, "cannot undefine domain " + name + ": it is "
                            + current.state().domainState());
                }
                if (definition != null && !definition.ports().isEmpty()) {
                    unlinkQuietly(name, definition);
                }
                Optional<UUID> qube = current != null ? current.qube()
                        : Optional.ofNullable(definition).map(d -> d.spec().uuid());
                if (current != null || qube.isPresent()) {
                    execute(scripts.remove(vmName(name), qube), name, "undefine domain " + name);
                }
                definitions.remove(name);
                forget(name);
            } finally {
                busy.remove(name);
            }
        }
    }

    // ---- life cycle ---------------------------------------------------------------------------------

    @Override
    public void start(String name) {
        ensureActive();
        Definition definition = definitions.get(name);
        if (definition == null) {
            throw new DomainNotFoundException(ID, name);
        }
        ready();
        synchronized (lock(name)) {
            busy.add(name);
            try {
                fire(name, DomainState.STARTING, "booting");
                VmRecord record;
                try {
                    record = lastRecord(execute(Scripts.start(definition.vmName(), definition.ports()), name,
                            "start domain " + name), name);
                    if (record.state().domainState() != DomainState.RUNNING) {
                        throw new HypervisorException(name, "Start-VM returned but VM " + definition.vmName()
                                + " is " + record.state().powerShellName());
                    }
                } catch (RuntimeException e) {
                    cleanUpFailedStart(name, definition, e);
                    throw e instanceof HypervisorException h ? h
                            : new HypervisorException(name, "cannot start domain " + name + ": " + e.getMessage(), e);
                }
                remember(name, record);
                transition(name, DomainState.RUNNING, "booted");
            } finally {
                busy.remove(name);
            }
        }
    }

    @Override
    public void pause(String name) {
        VmRecord record = requireActiveVm(name, "pause");
        if (record.state() != VmState.RUNNING) {
            throw new HypervisorException(name, "cannot pause domain " + name + ": it is "
                    + record.state().powerShellName() + ", not Running");
        }
        operate(name, Scripts.pause(vmName(name)), "pause", DomainState.PAUSED, "paused by host");
    }

    @Override
    public void unpause(String name) {
        VmRecord record = requireActiveVm(name, "unpause");
        PowerShellScript script;
        if (record.state().saved()) {
            script = Scripts.resumeSaved(vmName(name));
        } else if (record.state() == VmState.PAUSED || record.state() == VmState.PAUSED_CRITICAL) {
            script = Scripts.resume(vmName(name));
        } else {
            throw new HypervisorException(name, "cannot unpause domain " + name + ": it is "
                    + record.state().powerShellName() + ", neither Paused nor Saved");
        }
        operate(name, script, "unpause", DomainState.RUNNING, "resumed by host");
    }

    @Override
    public boolean shutdown(String name, Duration timeout) {
        ensureActive();
        ready();
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        synchronized (lock(name)) {
            busy.add(name);
            try {
                VmRecord record = refresh().get(name);
                if (record == null || record.state().off()) {
                    return true;
                }
                transition(name, DomainState.SHUTTING_DOWN, "shutdown requested");
                VmRecord after = lastRecord(execute(Scripts.requestShutdown(vmName(name)), name,
                        "shut down domain " + name), name);
                while (!after.state().off() && System.nanoTime() < deadline) {
                    sleep(Math.min(SHUTDOWN_POLL.toNanos(), deadline - System.nanoTime()));
                    VmRecord polled = refresh().get(name);
                    if (polled == null) {
                        vanished(name);
                        return true;
                    }
                    after = polled;
                }
                if (after.state().off()) {
                    stopped(name, after, "guest shut down");
                    return true;
                }
                return false;
            } finally {
                busy.remove(name);
            }
        }
    }

    @Override
    public void kill(String name) {
        ensureActive();
        ready();
        synchronized (lock(name)) {
            busy.add(name);
            try {
                VmRecord record = refresh().get(name);
                if (record == null || record.state().off()) {
                    Definition definition = definitions.get(name);
                    if (definition != null && !definition.ports().isEmpty()) {
                        unlinkQuietly(name, definition);
                    }
                    return;
                }
                transition(name, DomainState.DYING, "killed by host");
                PowerShellScript script = record.state().saved() ? Scripts.discardSavedState(vmName(name))
                        : Scripts.turnOff(vmName(name));
                VmRecord after = lastRecord(execute(script, name, "kill domain " + name), name);
                stopped(name, after, "killed by host");
            } finally {
                busy.remove(name);
            }
        }
    }

    @Override
    public DomainState state(String name) {
        if (!active || readyQuietly().isEmpty()) {
            return DomainState.SHUTOFF;
        }
        try {
            VmRecord record = cachedRecords().get(name);
            return record == null ? DomainState.SHUTOFF : record.state().domainState();
        } catch (HypervisorException e) {
            // the SPI promises no exception here; an unreachable host runs nothing we can see
            return DomainState.SHUTOFF;
        }
    }

    @Override
    public Map<String, DomainState> domains() {
        if (!active || readyQuietly().isEmpty()) {
            return Map.of();
        }
        Map<String, DomainState> all = new LinkedHashMap<>();
        refresh().forEach((name, record) -> all.put(name, record.state().domainState()));
        return all;
    }

    // ---- snapshots --------------------------------------------------------------------------------

    @Override
    public void saveSnapshot(String name, Path file) {
        VmRecord record = requireActiveVm(name, "save a snapshot of");
        DomainState state = record.state().domainState();
        if (state != DomainState.RUNNING && state != DomainState.PAUSED) {
            throw new HypervisorException(name, "cannot snapshot domain " + name + " while it is "
                    + record.state().powerShellName());
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new HypervisorException(name, "cannot save a snapshot of domain " + name + " to " + file + ": "
                    + e.getMessage(), e);
        }
        synchronized (lock(name)) {
            busy.add(name);
            try {
                String checkpointName = "bulkhead-snapshot-" + UUID.randomUUID();
                Envelope result = execute(Scripts.checkpoint(vmName(name), checkpointName,
                        scriptTimeout().multipliedBy(5)), name, "save a snapshot of domain " + name);
                VmRecord after = lastRecord(result, name);
                try {
                    JsonNode checkpoint = result.value().get(0);
                    UUID checkpointId;
                    try {
                        checkpointId = UUID.fromString(checkpoint.path("CheckpointId").asText());
                    } catch (IllegalArgumentException e) {
                        throw new HypervisorException(name, "Checkpoint-VM of domain " + name
                                + " reported no usable checkpoint id: " + Envelope.abbreviate(checkpoint.toString()), e);
                    }
                    SnapshotDescriptor descriptor = new SnapshotDescriptor(name, vmName(name), after.id(), checkpointId,
                            checkpoint.path("CheckpointName").asText(checkpointName), Instant.now());
                    try {
                        descriptor.write(mapper, file);
                    } catch (IOException e) {
                        throw new HypervisorException(name, "checkpoint " + checkpointId + " of domain " + name
                                + " was taken but the snapshot file " + file + " cannot be written: " + e.getMessage(), e);
                    }
                } finally {
                    stopped(name, after, "state saved to " + file);
                }
            } finally {
                busy.remove(name);
            }
        }
    }

    @Override
    public void restoreSnapshot(DomainSpec spec, Path file) {
        ensureActive();
        String name = spec.name();
        SnapshotDescriptor descriptor;
        try {
            descriptor = SnapshotDescriptor.read(mapper, file);
        } catch (IOException e) {
            throw new HypervisorException(name, "cannot restore domain " + name + ": " + e.getMessage(), e);
        }
        if (!descriptor.domain().equals(name)) {
            throw new HypervisorException(name, "cannot restore domain " + name + " from " + file + ": it holds a"
                    + " checkpoint of domain " + descriptor.domain() + ", and Hyper-V restores a checkpoint only into"
                    + " the VM it was taken of (restoring it as another domain would need Export-VM/Import-VM,"
                    + " which this backend does not do)");
        }
        ready();
        synchronized (lock(name)) {
            busy.add(name);
            try {
                Map<String, VmRecord> now = refresh();
                VmRecord current = now.get(name);
                if (current == null) {
                    throw new HypervisorException(name, "cannot restore domain " + name + ": its VM "
                            + descriptor.vmName() + " no longer exists, and with it the checkpoint");
                }
                if (!current.state().off()) {
                    throw new HypervisorException(name, "cannot restore domain " + name + ": it is "
                            + current.state().powerShellName());
                }
                String vmName = vmName(name);
                List<Scripts.NetvmPort> ports = netvmPorts(spec, vmName, now);
                VmRecord record = lastRecord(execute(Scripts.restore(vmName, descriptor.checkpointId(), ports,
                        scriptTimeout().multipliedBy(5)), name, "restore domain " + name), name);
                definitions.put(name, new Definition(spec, vmName, ports));
                remember(name, record);
                if (!record.state().saved()) {
                    throw new HypervisorException(name, "cannot restore domain " + name + ": after Restore-VMSnapshot"
                            + " its VM is " + record.state().powerShellName() + ", not Saved (the checkpoint holds no"
                            + " memory state)");
                }
                transition(name, record.state().domainState(), "restored from " + file);
            } finally {
                busy.remove(name);
            }
        }
    }

    // ---- devices ----------------------------------------------------------------------------------

    @Override
    public void attachDevice(String name, DeviceSpec device) {
        PciAddress address = pciDevice(name, device);
        assignable(name, "assign");
        synchronized (lock(name)) {
            execute(Scripts.assignPci(vmName(name), address), name, "assign PCI device " + address + " to domain " + name);
        }
    }

    @Override
    public void detachDevice(String name, DeviceSpec device) {
        PciAddress address = pciDevice(name, device);
        assignable(name, "release");
        synchronized (lock(name)) {
            execute(Scripts.releasePci(vmName(name), address), name, "release PCI device " + address + " of domain "
                    + name);
        }
    }

    private PciAddress pciDevice(String name, DeviceSpec device) {
        switch (device.deviceClass()) {
            case "pci":
                if (!config.pciPassthrough()) {
                    throw new CapabilityNotSupportedException(ID, Capability.PCI_PASSTHROUGH, name);
                }
                if (!device.backendDomain().equals("dom0")) {
                    throw new HypervisorException(name, "PCI device " + device.port() + " must come from dom0 (the"
                            + " Hyper-V host), not from " + device.backendDomain());
                }
                return PciAddress.parse(device.port());
            case "usb":
                throw new CapabilityNotSupportedException(ID, Capability.USB_PASSTHROUGH, name);
            default:
                throw new CapabilityNotSupportedException(ID, Capability.BLOCK_HOTPLUG, name);
        }
    }

    /** Discrete Device Assignment only changes VMs that are off; core attaches after start today. */
    private void assignable(String name, String action) {
        ready();
        VmRecord record = refresh().get(name);
        if (record == null) {
            throw new DomainNotFoundException(ID, name);
        }
        if (!record.state().off()) {
            throw new HypervisorException(name, "cannot " + action + " a PCI device of domain " + name + " while it is "
                    + record.state().powerShellName() + ": Hyper-V Discrete Device Assignment cannot hot-plug, the VM"
                    + " must be off (between define and start)");
        }
    }

    // ---- channels ---------------------------------------------------------------------------------

    @Override
    public DomainChannel openChannel(String name, String channelName) throws IOException {
        ensureActive();
        if (!platform.windows()) {
            throw new HypervisorException(name, "cannot open channel " + channelName + " of domain " + name
                    + ": hvsocket needs Windows (AF_HYPERV sockets exist only on the Hyper-V host itself);"
                    + " this dom0 runs on " + platform.osName());
        }
        if (!config.remoteComputer().isBlank()) {
            // deliberate limit: AF_HYPERV only connects on the Hyper-V host; relaying the channel from a
            // remote host would need a Bulkhead process there, which this backend does not install
            throw new HypervisorException(name, "cannot open channel " + channelName + " of domain " + name
                    + ": hvsocket connects only from the Hyper-V host itself, and Hyper-V runs on "
                    + config.remoteComputer() + " (remoteComputer); a relay on that host is not implemented");
        }
        Definition definition = definitions.get(name);
        if (definition != null && !definition.spec().hasChannel(channelName)) {
            throw new HypervisorException(name, "domain " + name + " has no channel '" + channelName + "' (it has: "
                    + definition.spec().channels().stream().map(ChannelSpec::name).collect(Collectors.joining(", "))
                    + ")");
        }
        UUID service = serviceFor(name, channelName);
        ready();
        VmRecord record = refresh().get(name);
        if (record == null || record.state().off()) {
            throw new HypervisorException(name, "cannot open channel " + channelName + ": domain " + name
                    + " is not running");
        }
        Winsock winsock;
        try {
            winsock = platform.winsock().get();
        } catch (LinkageError e) {
            throw new HypervisorException(name, "cannot open channel " + channelName + " of domain " + name
                    + ": JNA (com.sun.jna) is needed for hvsocket and could not be loaded: " + e, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, config.channelConnectTimeoutSeconds()));
        return HvSocketChannel.connect(winsock, record.id(), service, name, channelName, deadline);
    }

    private UUID serviceFor(String name, String channelName) {
        Optional<UUID> service = switch (channelName) {
            case ChannelSpec.QREXEC -> qrexecService;
            case ChannelSpec.QUBESDB -> qubesdbService;
            default -> Optional.empty();
        };
        return service.orElseThrow(() -> new HypervisorException(name, "no hvsocket service GUID is configured for"
                + " channel '" + channelName + "' of domain " + name + " (configuration " + PID + ": qrexecServiceGuid,"
                + " qubesdbServiceGuid)"));
    }

    /** COM1 of a running domain, a named pipe on the (local) Hyper-V host. */
    @Override
    public Optional<Path> consolePath(String name) {
        if (!platform.windows() || !config.remoteComputer().isBlank() || state(name) == DomainState.SHUTOFF) {
            return Optional.empty();
        }
        VmRecord record = cachedRecords().get(name);
        return record == null || record.qube().isEmpty() ? Optional.empty()
                : Optional.of(Path.of(Scripts.consolePipe(record.qube().get())));
    }

    @Override
    public ListenerRegistration addStateListener(DomainStateListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---- PowerShell -------------------------------------------------------------------------------

    private PowerShell ready() {
        ensureActive();
        return host.ready();
    }

    private Optional<PowerShell> readyQuietly() {
        return active ? host.readyQuietly() : Optional.empty();
    }

    /** Runs a script and turns failures into exceptions that name the domain and the action. */
    private Envelope execute(PowerShellScript script, String domain, String action) {
        PowerShell ps = ready();
        String json;
        try {
            json = ps.run(script);
        } catch (IOException e) {
            throw new HypervisorException(domain, "cannot " + action + ": " + e.getMessage(), e);
        }
        Envelope result;
        try {
            result = Envelope.parse(mapper, json);
        } catch (IOException e) {
            throw new HypervisorException(domain, "cannot " + action + ": " + e.getMessage(), e);
        }
        if (result.error().isPresent()) {
            PowerShellError error = result.error().get();
            if (error.vmNotFound() && domain != null) {
                forget(domain);
                throw new DomainNotFoundException(ID, domain);
            }
            throw new HypervisorException(domain, "cannot " + action + ": " + error.describe());
        }
        return result;
    }

    private void operate(String name, PowerShellScript script, String action, DomainState expected, String reason) {
        synchronized (lock(name)) {
            busy.add(name);
            try {
                VmRecord record = lastRecord(execute(script, name, action + " domain " + name), name);
                remember(name, record);
                if (record.state().domainState() != expected) {
                    throw new HypervisorException(name, "cannot " + action + " domain " + name + ": Hyper-V reports "
                            + record.state().powerShellName() + " afterwards");
                }
                transition(name, expected, reason);
            } finally {
                busy.remove(name);
            }
        }
    }

    // ---- inventory of VMs -------------------------------------------------------------------------

    /** Queries Hyper-V for every Bulkhead VM; keyed by qube name. */
    private Map<String, VmRecord> refresh() {
        Envelope result = execute(Scripts.list(), null, "list the Hyper-V VMs");
        Map<String, VmRecord> fresh = new LinkedHashMap<>();
        for (JsonNode node : result.value()) {
            VmRecord record;
            try {
                record = VmRecord.parse(node);
            } catch (IOException e) {
                throw new HypervisorException(null, "cannot list the Hyper-V VMs: " + e.getMessage(), e);
            }
            qubeName(record.name()).ifPresent(qube -> fresh.put(qube, record));
        }
        records = Map.copyOf(fresh);
        refreshedAtNanos = System.nanoTime();
        // VMs found running (e.g. after a restart of dom0's JVM) are watched from now on
        fresh.forEach((qube, record) -> reported.putIfAbsent(qube, record.state().domainState()));
        return records;
    }

    private Map<String, VmRecord> cachedRecords() {
        if (System.nanoTime() - refreshedAtNanos < CACHE_FRESHNESS.toNanos() && refreshedAtNanos != 0) {
            return records;
        }
        return refresh();
    }

    private void remember(String name, VmRecord record) {
        Map<String, VmRecord> copy = new LinkedHashMap<>(records);
        copy.put(name, record);
        records = Map.copyOf(copy);
    }

    private void forget(String name) {
        Map<String, VmRecord> copy = new LinkedHashMap<>(records);
        copy.remove(name);
        records = Map.copyOf(copy);
        DomainState last = reported.remove(name);
        if (last != null && last != DomainState.SHUTOFF) {
            fire(name, DomainState.SHUTOFF, "VM removed from Hyper-V");
            reported.remove(name);
        }
    }

    /** The VM disappeared from Hyper-V (removed by someone else): release its links and report it off. */
    private void vanished(String name) {
        Definition definition = definitions.get(name);
        if (definition != null && !definition.ports().isEmpty()) {
            unlinkQuietly(name, definition);
        }
        forget(name);
    }

    /** Notices changes nobody asked for (guest powered off, VM crashed) while something runs. */
    private void poll() {
        if (!active || reported.values().stream().allMatch(s -> s == DomainState.SHUTOFF)) {
            return;
        }
        try {
            if (readyQuietly().isEmpty()) {
                return;
            }
            Map<String, VmRecord> now = refresh();
            for (Map.Entry<String, DomainState> entry : Map.copyOf(reported).entrySet()) {
                String name = entry.getKey();
                if (busy.contains(name)) {
                    continue;
                }
                VmRecord record = now.get(name);
                if (record == null) {
                    if (entry.getValue() != DomainState.SHUTOFF) {
                        vanished(name);
                    }
                    continue;
                }
                DomainState state = record.state().domainState();
                if (state == entry.getValue()) {
                    continue;
                }
                String reason = "Hyper-V reports " + record.state().powerShellName();
                if (state == DomainState.SHUTOFF || state == DomainState.CRASHED) {
                    Definition definition = definitions.get(name);
                    if (definition != null && !definition.ports().isEmpty()) {
                        unlinkQuietly(name, definition);
                    }
                }
                transition(name, state, reason);
            }
        } catch (RuntimeException e) {
            System.getLogger(PID).log(System.Logger.Level.WARNING, "polling the Hyper-V VM states failed", e);
        }
    }

    private void stopped(String name, VmRecord record, String reason) {
        remember(name, record);
        Definition definition = definitions.get(name);
        if (definition != null && !definition.ports().isEmpty()) {
            unlinkQuietly(name, definition);
        }
        transition(name, record.state().domainState(), reason);
    }

    private void cleanUpFailedStart(String name, Definition definition, RuntimeException failure) {
        try {
            VmRecord record = refresh().get(name);
            if (record != null && !record.state().off()) {
                remember(name, lastRecord(execute(record.state().saved() ? Scripts.discardSavedState(definition.vmName())
                        : Scripts.turnOff(definition.vmName()), name, "stop domain " + name + " after a failed start"),
                        name));
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        if (!definition.ports().isEmpty()) {
            unlinkQuietly(name, definition);
        }
        transition(name, DomainState.SHUTOFF, "start failed");
    }

    private void unlinkQuietly(String name, Definition definition) {
        try {
            execute(Scripts.unlink(definition.vmName(), definition.ports()), name, "unlink domain " + name
                    + " from its netvm");
        } catch (RuntimeException e) {
            System.getLogger(PID).log(System.Logger.Level.WARNING, "cannot remove the network links of " + name, e);
        }
    }

    /** Resolves each uplink to its running netvm's VM and the switch of the pair. */
    private List<Scripts.NetvmPort> netvmPorts(DomainSpec spec, String vmName, Map<String, VmRecord> now) {
        List<Scripts.NetvmPort> ports = new ArrayList<>();
        for (NetworkLink link : spec.networks()) {
            String netvm = link.backendDomain();
            VmRecord record = now.get(netvm);
            if (record == null || record.state().off()) {
                throw new HypervisorException(spec.name(), "cannot define domain " + spec.name() + ": its netvm '"
                        + netvm + "' is not running under this backend");
            }
            Definition netvmDefinition = definitions.get(netvm);
            if (netvmDefinition != null && !netvmDefinition.spec().providesNetwork()) {
                throw new HypervisorException(spec.name(), "cannot define domain " + spec.name() + ": domain '"
                        + netvm + "' does not provide network");
            }
            UUID netvmQube = record.qube().orElseThrow(() -> new HypervisorException(spec.name(),
                    "netvm '" + netvm + "' carries no Bulkhead marker"));
            ports.add(new Scripts.NetvmPort(record.name(),
                    LinkSwitch.of(config.switchNamePrefix(), record.name(), vmName, netvmQube, link), ports.size()));
        }
        return List.copyOf(ports);
    }

    private VmRecord lastRecord(Envelope result, String name) {
        if (result.value().isEmpty()) {
            throw new HypervisorException(name, "the Hyper-V script for domain " + name + " reported no VM record");
        }
        try {
            return VmRecord.parse(result.value().get(result.value().size() - 1));
        } catch (IOException e) {
            throw new HypervisorException(name, e.getMessage(), e);
        }
    }

    private VmRecord requireActiveVm(String name, String action) {
        ensureActive();
        ready();
        VmRecord record = refresh().get(name);
        if (record == null) {
            throw new DomainNotFoundException(ID, name);
        }
        if (record.state().off()) {
            throw new HypervisorException(name, "cannot " + action + " domain " + name + ": it is not running");
        }
        return record;
    }

    // ---- events -----------------------------------------------------------------------------------

    private void transition(String name, DomainState state, String reason) {
        DomainState previous = reported.put(name, state);
        if (previous != state) {
            fire(name, state, reason);
        }
    }

    private void fire(String name, DomainState state, String reason) {
        reported.put(name, state);
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

    // ---- helpers ----------------------------------------------------------------------------------

    private String vmName(String qube) {
        return config.vmNamePrefix() + qube;
    }

    private Optional<String> qubeName(String vmName) {
        String prefix = config.vmNamePrefix();
        return vmName.startsWith(prefix) && vmName.length() > prefix.length()
                ? Optional.of(vmName.substring(prefix.length())) : Optional.empty();
    }

    /** Generation 2 VMs take memory in multiples of 2 MiB. */
    static long memoryBytes(int mib) {
        return ((mib + 1L) / 2 * 2) * MIB;
    }

    private long volatileSize(String rawImage) {
        try {
            long size = Files.size(Path.of(rawImage));
            if (size > 0) {
                return size;
            }
        } catch (IOException | RuntimeException e) {
            // not readable from here (remote host, other path syntax): fall back to the configured size
        }
        return Math.max(1, config.volatileSizeGiB()) * 1024 * MIB;
    }

    private Duration scriptTimeout() {
        return Duration.ofSeconds(Math.max(5, config.scriptTimeoutSeconds()));
    }

    private static Optional<UUID> guid(String key, String value) {
        if (value.isBlank()) {
            return Optional.empty();
        }
        if (!value.trim().matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("configuration " + key + " must be a GUID like"
                    + " 00000200-facb-11e6-bd58-64006a7986d3, not '" + value + "'");
        }
        return Optional.of(UUID.fromString(value.trim()));
    }

    private Object lock(String name) {
        return lifecycleLocks.computeIfAbsent(name, n -> new Object());
    }

    private void ensureActive() {
        if (!active) {
            throw new HypervisorException(null, "the hyperv hypervisor backend has been deactivated");
        }
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(null, "interrupted while waiting for a Hyper-V VM");
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
