package io.bulkhead.hal.kvm.internal;

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
import java.io.File;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The QEMU backend: one {@code qemu-system-x86_64} process per running domain, driven over QMP.
 *
 * <p>Registered as {@link Hypervisor} with {@code hypervisor=kvm}. The accelerator is decided by
 * {@link AcceleratorProbe} in the background at activation (KVM only if a guest really boots under
 * it, else TCG). On deactivation, and at JVM exit, every QEMU it started is killed and its sockets
 * removed.
 */
@Component(service = Hypervisor.class, property = Hypervisor.SERVICE_PROPERTY + "=" + KvmHypervisor.ID,
        configurationPid = KvmHypervisor.PID)
@Designate(ocd = KvmConfiguration.class)
public final class KvmHypervisor implements Hypervisor, AutoCloseable {

    static final String ID = "kvm";
    static final String PID = "io.bulkhead.hal.kvm";

    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    /** How long a restarting client waits for its netvm's guest to eject the NIC of its previous run. */
    private static final Duration NIC_REMOVAL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CHANNEL_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final int DIAGNOSTIC_LINES = 12;

    private final KvmConfiguration config;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Path cacheDirectory;
    private final Map<String, DomainSpec> definitions = new ConcurrentHashMap<>();
    private final Map<String, QemuDomain> running = new ConcurrentHashMap<>();
    private final Map<String, Object> lifecycleLocks = new ConcurrentHashMap<>();
    private final List<DomainStateListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService reaper = Executors.newSingleThreadExecutor(daemon("hal-kvm-reaper"));
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(daemon("hal-kvm-events"));
    private final CompletableFuture<AcceleratorProbe.Verdict> accelerator;
    private final Thread exitHook = new Thread(this::killAllAtJvmExit, "hal-kvm-exit");
    private volatile boolean active = true;

    @Activate
    public KvmHypervisor(KvmConfiguration config) {
        this.config = config;
        this.cacheDirectory = cacheDirectory(config);
        this.accelerator = chooseAccelerator();
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /** For use outside OSGi (benchmarks, tests): configuration keys as in {@link KvmConfiguration}. */
    public static KvmHypervisor create(Map<String, ?> configuration) {
        return new KvmHypervisor(MetatypeConfigurations.of(KvmConfiguration.class, configuration));
    }

    @Deactivate
    public void deactivate() {
        close();
    }

    /** Kills every domain this backend runs and releases its threads. Idempotent. */
    @Override
    public void close() {
        if (!active) {
            return;
        }
        active = false;
        for (QemuDomain domain : List.copyOf(running.values())) {
            try {
                killDomain(domain, "backend deactivated");
            } catch (RuntimeException e) {
                domain.process().destroyForcibly();
            }
        }
        reaper.shutdown();
        notifier.shutdown();
        listeners.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public HypervisorCapabilities capabilities() {
        return new HypervisorCapabilities(acceleratorVerdict().accelerator(), EnumSet.of(Capability.PAUSE,
                Capability.SNAPSHOT, Capability.KERNEL_BOOT, Capability.DISK_BOOT, Capability.NETWORK));
    }

    /** @return one sentence saying which accelerator is used and why (for reports and benchmarks) */
    public String acceleratorReport() {
        AcceleratorProbe.Verdict verdict = acceleratorVerdict();
        return verdict.accelerator().name().toLowerCase() + ": " + verdict.reason();
    }

    @Override
    public void define(DomainSpec spec) {
        ensureActive();
        synchronized (lock(spec.name())) {
            if (running.containsKey(spec.name())) {
                throw new HypervisorException(spec.name(), "cannot redefine domain " + spec.name() + ": it is "
                        + state(spec.name()));
            }
            // Render once with placeholder host settings so bad names/MACs fail here, not at start.
            QemuCommandLine.render(new QemuCommandLine.Host(Path.of("qemu"), Accelerator.TCG, Optional.empty(),
                    java.util.OptionalLong.empty()), new QemuCommandLine.Launch(spec, new RunFiles(spec.runDirectory()),
                    false, placeholderUplinks(spec)));
            definitions.put(spec.name(), spec);
        }
    }

    @Override
    public void undefine(String name) {
        synchronized (lock(name)) {
            if (running.containsKey(name)) {
                throw new HypervisorException(name, "cannot undefine domain " + name + ": it is " + state(name));
            }
            DomainSpec spec = definitions.remove(name);
            if (spec != null) {
                RunFiles files = new RunFiles(spec.runDirectory());
                for (Path file : List.of(files.consoleLog(), files.previousConsoleLog(), files.qemuLog())) {
                    deleteQuietly(file);
                }
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
        QemuDomain domain = requireRunning(name, "pause");
        qmp(domain, "stop", "pause");
        transition(domain, DomainState.PAUSED, "paused by host");
    }

    @Override
    public void unpause(String name) {
        QemuDomain domain = requireRunning(name, "unpause");
        qmp(domain, "cont", "unpause");
        transition(domain, DomainState.RUNNING, "resumed by host");
    }

    @Override
    public boolean shutdown(String name, Duration timeout) {
        QemuDomain domain = running.get(name);
        if (domain == null) {
            return true;
        }
        transition(domain, DomainState.SHUTTING_DOWN, "ACPI power button pressed");
        qmp(domain, "system_powerdown", "shutdown");
        if (timeout.isZero() || timeout.isNegative()) {
            return !running.containsKey(name);
        }
        try {
            domain.terminated().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return !running.containsKey(name);
        }
    }

    @Override
    public void kill(String name) {
        QemuDomain domain = running.get(name);
        if (domain != null) {
            killDomain(domain, "killed by host");
        }
    }

    @Override
    public DomainState state(String name) {
        QemuDomain domain = running.get(name);
        return domain == null ? DomainState.SHUTOFF : domain.state();
    }

    @Override
    public Map<String, DomainState> domains() {
        Map<String, DomainState> all = new LinkedHashMap<>();
        definitions.keySet().forEach(name -> all.put(name, DomainState.SHUTOFF));
        running.forEach((name, domain) -> all.put(name, domain.state()));
        return all;
    }

    @Override
    public void saveSnapshot(String name, Path file) {
        QemuDomain domain = requireRunning(name, "save a snapshot of");
        DomainState before = domain.state();
        if (before != DomainState.RUNNING && before != DomainState.PAUSED) {
            throw new HypervisorException(name, "cannot snapshot domain " + name + " while it is " + before);
        }
        runAsUser().ifPresent(user -> requireReachable(name, domain.files(), user, "save a snapshot"));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            SnapshotTransfer.save(domain.qmp(), domain.files(), file, runAsUser(), SNAPSHOT_TIMEOUT);
        } catch (IOException e) {
            throw new HypervisorException(name, "cannot save a snapshot of domain " + name + " to " + file + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(name, "interrupted while saving a snapshot of domain " + name, e);
        }
        domain.expectExit("state saved to " + file);
        try {
            domain.qmp().execute("quit");
        } catch (IOException e) {
            // QEMU may close QMP before answering quit; the wait below decides
        }
        awaitTermination(domain, "quit after the snapshot");
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
        throw new CapabilityNotSupportedException(ID, capabilityFor(device), name);
    }

    @Override
    public void detachDevice(String name, DeviceSpec device) {
        throw new CapabilityNotSupportedException(ID, capabilityFor(device), name);
    }

    @Override
    public DomainChannel openChannel(String name, String channelName) throws IOException {
        QemuDomain domain = running.get(name);
        if (domain == null) {
            throw new HypervisorException(name, "cannot open channel " + channelName + ": domain " + name
                    + " is not running");
        }
        if (!domain.spec().hasChannel(channelName)) {
            throw new HypervisorException(name, "domain " + name + " has no channel '" + channelName + "' (it has: "
                    + domain.spec().channels().stream().map(ChannelSpec::name).collect(Collectors.joining(", ")) + ")");
        }
        synchronized (domain.channels()) {
            QemuDomainChannel open = domain.channels().get(channelName);
            if (open != null && open.isOpen()) {
                throw new HypervisorException(name, "channel " + channelName + " of domain " + name
                        + " is already open (its QEMU socket takes one connection at a time)");
            }
            SocketChannel socket;
            try {
                socket = UnixSockets.connectWithRetry(domain.files().channelSocket(channelName), CHANNEL_CONNECT_TIMEOUT,
                        domain::alive);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to channel " + channelName + " of " + name, e);
            }
            QemuDomainChannel[] holder = new QemuDomainChannel[1];
            holder[0] = new QemuDomainChannel(name, channelName, socket,
                    () -> domain.channels().remove(channelName, holder[0]));
            domain.channels().put(channelName, holder[0]);
            return holder[0];
        }
    }

    @Override
    public ListenerRegistration addStateListener(DomainStateListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The serial console log of a domain's current (or last) boot. */
    @Override
    public Optional<Path> consoleLog(String name) {
        DomainSpec spec = definitions.get(name);
        if (spec == null) {
            throw new DomainNotFoundException(ID, name);
        }
        return Optional.of(new RunFiles(spec.runDirectory()).consoleLog());
    }

    // ---- launching ------------------------------------------------------------------------------

    private void launch(DomainSpec spec, Optional<Path> snapshot) {
        String name = spec.name();
        synchronized (lock(name)) {
            if (running.containsKey(name)) {
                throw new HypervisorException(name, "domain " + name + " is already " + state(name));
            }
            Path binary = HostEnvironment.locateQemu(config.qemuBinary(), System.getenv("PATH"));
            Optional<String> runAs = runAsUser();
            RunFiles files = new RunFiles(spec.runDirectory());
            prepareRunDirectory(spec, files, runAs);
            Machine machine = QemuCommandLine.machineFor(spec);
            QemuCommandLine.Host host = new QemuCommandLine.Host(binary, acceleratorVerdict().accelerator(), runAs,
                    HostEnvironment.tscKhz());
            List<String> plugged = new ArrayList<>();
            Process process;
            VolumeOwnership volumes = VolumeOwnership.none();
            try {
                if (runAs.isPresent() && snapshot.isPresent()) {
                    // QEMU creates the snapshot socket and reopens writable images after dropping
                    // privileges; a plain boot opens everything before.
                    requireReachable(spec.name(), files, runAs.get(), "restore a snapshot");
                    volumes = VolumeOwnership.lend(spec.volumes(), runAs.get());
                }
                Map<String, Path> uplinks = plugUplinks(spec, plugged);
                List<String> args = QemuCommandLine.render(host, new QemuCommandLine.Launch(spec, files,
                        snapshot.isPresent(), uplinks));
                process = new ProcessBuilder(args).redirectErrorStream(true)
                        .redirectOutput(files.qemuLog().toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            } catch (IOException | RuntimeException e) {
                unplugUplinks(name, plugged);
                volumes.giveBack();
                throw new HypervisorException(name, "cannot start QEMU for domain " + name + ": " + e.getMessage(), e);
            }
            QemuDomain domain = new QemuDomain(spec, files, machine, process, volumes);
            running.put(name, domain);
            process.onExit().thenRunAsync(() -> reap(domain), reaper);
            fire(name, DomainState.STARTING, snapshot.map(f -> "restoring from " + f).orElse("booting"));
            try {
                SocketChannel qmpSocket = UnixSockets.connectWithRetry(files.qmpSocket(),
                        Duration.ofSeconds(config.startTimeoutSeconds()), process::isAlive);
                domain.attach(QmpClient.open(qmpSocket, mapper, event -> onEvent(domain, event), name, QMP_TIMEOUT));
                if (snapshot.isPresent()) {
                    SnapshotTransfer.load(domain.qmp(), files, snapshot.get(), SNAPSHOT_TIMEOUT, process::isAlive);
                    transition(domain, DomainState.PAUSED, "restored from " + snapshot.get());
                } else {
                    String status = domain.qmp().execute("query-status").path("status").asText();
                    if (!status.equals("running")) {
                        throw new IOException("QEMU status is '" + status + "', expected 'running'");
                    }
                    transition(domain, DomainState.RUNNING, "booted");
                }
            } catch (IOException | RuntimeException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                domain.expectExit("start failed");
                process.destroyForcibly();
                awaitQuietly(domain);
                throw new HypervisorException(name, "cannot start domain " + name + ": " + e.getMessage()
                        + diagnostics(files), e);
            }
        }
    }

    private void prepareRunDirectory(DomainSpec spec, RunFiles files, Optional<String> runAs) {
        try {
            HostEnvironment.prepareRunDirectory(files.directory(), runAs);
            UnixSockets.checkPathLength(files.qmpSocket());
            UnixSockets.checkPathLength(files.snapshotOutSocket());
            for (ChannelSpec channel : spec.channels()) {
                UnixSockets.checkPathLength(files.channelSocket(channel.name()));
            }
            removeStaleSockets(files.directory());
            if (Files.exists(files.consoleLog())) {
                Files.move(files.consoleLog(), files.previousConsoleLog(), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new HypervisorException(spec.name(), "cannot prepare run directory " + files.directory()
                    + " of domain " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    /** Gives each uplink a listening end in its (running) netvm; returns netvm name -> socket. */
    private Map<String, Path> plugUplinks(DomainSpec spec, List<String> plugged) throws IOException {
        Map<String, Path> sockets = new LinkedHashMap<>();
        for (NetworkLink link : spec.networks()) {
            QemuDomain netvm = running.get(link.backendDomain());
            if (netvm == null || netvm.qmp() == null) {
                throw new IOException("its netvm '" + link.backendDomain() + "' is not running under this backend");
            }
            if (!netvm.spec().providesNetwork()) {
                throw new IOException("domain '" + link.backendDomain() + "' does not provide network");
            }
            Path socket = netvm.files().netLinkSocket(spec.name());
            UnixSockets.checkPathLength(socket);
            Optional<String> runAs = runAsUser();
            if (runAs.isPresent()) {
                requireReachable(netvm.name(), netvm.files(), runAs.get(), "link clients to it");
            }
            String vifMac = GuestNetwork.vifMac(spec.name(), link.ip());
            try {
                if (!netvm.awaitRemoved(spec.name(), NIC_REMOVAL_TIMEOUT)) {
                    throw new IOException("netvm '" + netvm.name() + "' has not released this qube's previous link within "
                            + NIC_REMOVAL_TIMEOUT.toSeconds() + " s (its guest did not eject the NIC)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for netvm '" + netvm.name() + "' to release the previous link", e);
            }
            Files.deleteIfExists(socket);
            int port = netvm.claimPort(spec.name(), NetworkLinks.CLIENT_PORTS);
            try {
                NetworkLinks.plug(netvm.qmp(), netvm.machine(), spec.name(), socket, vifMac, port);
            } catch (IOException e) {
                netvm.releasePort(spec.name());
                throw e;
            }
            netvm.linkedClients().add(spec.name());
            plugged.add(link.backendDomain());
            sockets.put(link.backendDomain(), socket);
        }
        return sockets;
    }

    private void unplugUplinks(String client, List<String> netvms) {
        for (String netvmName : netvms) {
            QemuDomain netvm = running.get(netvmName);
            if (netvm != null && netvm.qmp() != null && netvm.linkedClients().remove(client)) {
                netvm.removing(client);
                if (!NetworkLinks.unplug(netvm.qmp(), client)) {
                    netvm.removed(client);
                }
                deleteQuietly(netvm.files().netLinkSocket(client));
            }
        }
    }

    private static Map<String, Path> placeholderUplinks(DomainSpec spec) {
        Map<String, Path> sockets = new LinkedHashMap<>();
        spec.networks().forEach(link -> sockets.put(link.backendDomain(), Path.of("/nonexistent/net.sock")));
        return sockets;
    }

    // ---- process and QMP events -----------------------------------------------------------------

    private void onEvent(QemuDomain domain, QmpEvent event) {
        switch (event.name()) {
            case "STOP" -> {
                if (domain.state() == DomainState.RUNNING) {
                    transition(domain, DomainState.PAUSED, "stopped");
                }
            }
            case "RESUME" -> transition(domain, DomainState.RUNNING, "resumed");
            case "SHUTDOWN" -> {
                // QEMU's reasons read "guest-shutdown", "guest-reset", "host-qmp-quit", "guest-panic"...
                String reason = event.data().path("reason").asText(
                        event.data().path("guest").asBoolean(false) ? "guest" : "host").replace('-', ' ');
                domain.expectExit(reason);
                transition(domain, DomainState.DYING, reason);
            }
            case "GUEST_PANICKED" -> domain.expectExit("guest kernel panic");
            case "DEVICE_DELETED" -> NetworkLinks.clientOfDeletedNic(event).ifPresent(domain::removed);
            default -> {
                // POWERDOWN, MIGRATION, RTC_CHANGE, ...: nothing to track
            }
        }
    }

    /** Runs once per QEMU process after it exited: releases everything and reports the end. */
    private void reap(QemuDomain domain) {
        String name = domain.name();
        for (QemuDomainChannel channel : List.copyOf(domain.channels().values())) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the peer is gone anyway
            }
        }
        if (domain.qmp() != null) {
            domain.qmp().close();
        }
        removeStaleSockets(domain.files().directory());
        unplugUplinks(name, domain.spec().networks().stream().map(NetworkLink::backendDomain).toList());
        domain.linkedClients().clear();
        domain.volumes().giveBack();
        running.remove(name, domain);
        int code = domain.process().exitValue();
        String expected = domain.exitReason();
        DomainState end;
        String reason;
        if (expected != null) {
            end = DomainState.SHUTOFF;
            reason = expected;
        } else if (code == 0) {
            end = DomainState.SHUTOFF;
            reason = "qemu exited";
        } else {
            end = DomainState.CRASHED;
            reason = "qemu exited with status " + code + diagnostics(domain.files());
        }
        domain.state(DomainState.SHUTOFF);
        domain.terminated().complete(null);
        fire(name, end, reason);
    }

    private void transition(QemuDomain domain, DomainState newState, String reason) {
        synchronized (domain) {
            if (domain.state() == newState || domain.state() == DomainState.SHUTOFF) {
                return;
            }
            domain.state(newState);
        }
        fire(domain.name(), newState, reason);
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

    private void killDomain(QemuDomain domain, String reason) {
        domain.expectExit(reason);
        transition(domain, DomainState.DYING, reason);
        domain.process().destroyForcibly();
        awaitTermination(domain, "kill");
    }

    private void awaitTermination(QemuDomain domain, String what) {
        try {
            domain.terminated().get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(domain.name(), "interrupted waiting for QEMU of " + domain.name() + " to exit");
        } catch (ExecutionException | TimeoutException e) {
            if (domain.alive()) {
                throw new HypervisorException(domain.name(), "QEMU of domain " + domain.name() + " (pid "
                        + domain.process().pid() + ") did not exit after " + what);
            }
            if (reaper.isShutdown()) {
                // deactivated while waiting: clean up inline
                reap(domain);
            }
        }
    }

    private void awaitQuietly(QemuDomain domain) {
        try {
            domain.process().waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            domain.terminated().get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported by the caller's exception
        }
    }

    private void killAllAtJvmExit() {
        for (QemuDomain domain : running.values()) {
            domain.process().destroyForcibly();
        }
        for (QemuDomain domain : running.values()) {
            try {
                domain.process().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            removeStaleSockets(domain.files().directory());
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private QemuDomain requireRunning(String name, String action) {
        QemuDomain domain = running.get(name);
        if (domain == null) {
            if (!definitions.containsKey(name)) {
                throw new DomainNotFoundException(ID, name);
            }
            throw new HypervisorException(name, "cannot " + action + " domain " + name + ": it is not running");
        }
        if (domain.qmp() == null) {
            throw new HypervisorException(name, "cannot " + action + " domain " + name + ": it is still starting");
        }
        return domain;
    }

    private JsonNode qmp(QemuDomain domain, String command, String action) {
        try {
            return domain.qmp().execute(command);
        } catch (IOException e) {
            throw new HypervisorException(domain.name(), "cannot " + action + " domain " + domain.name() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * After {@code -runas}, QEMU itself creates or connects sockets in the run directory for
     * snapshots and network links, so the QEMU user must be able to reach it.
     */
    private static void requireReachable(String name, RunFiles files, String user, String action) {
        try {
            HostEnvironment.checkReachableBy(files.directory(), user);
        } catch (IOException | IllegalArgumentException e) {
            throw new HypervisorException(name, "domain " + name + ": cannot " + action + ": " + e.getMessage());
        }
    }

    private Optional<String> runAsUser() {
        if (!HostEnvironment.runningAsRoot()) {
            return Optional.empty();
        }
        String user = config.runAsUser();
        if (user.isBlank()) {
            throw new HypervisorException(null, "dom0 runs as root and runAsUser is empty: refusing to run QEMU as root");
        }
        if (!HostEnvironment.userExists(user)) {
            throw new HypervisorException(null, "dom0 runs as root, so QEMU must drop to the unprivileged user '" + user
                    + "', which does not exist; create it with scripts/install-deps.sh or `useradd --system "
                    + "--no-create-home --shell /usr/sbin/nologin " + user + "`");
        }
        return Optional.of(user);
    }

    private AcceleratorProbe.Verdict acceleratorVerdict() {
        try {
            return accelerator.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AcceleratorProbe.Verdict(Accelerator.TCG, "probe interrupted", false);
        } catch (ExecutionException e) {
            return new AcceleratorProbe.Verdict(Accelerator.TCG, "probe failed: " + e.getCause(), false);
        }
    }

    private CompletableFuture<AcceleratorProbe.Verdict> chooseAccelerator() {
        switch (config.accelerator()) {
            case "tcg":
                return CompletableFuture.completedFuture(
                        new AcceleratorProbe.Verdict(Accelerator.TCG, "configured (accelerator=tcg)", false));
            case "kvm":
                return CompletableFuture.completedFuture(new AcceleratorProbe.Verdict(
                        Files.exists(Path.of("/sys/module/kvm_pvm")) ? Accelerator.PVM : Accelerator.KVM,
                        "configured (accelerator=kvm), not probed", false));
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("configuration accelerator must be auto, kvm or tcg, not '"
                        + config.accelerator() + "'");
        }
        Path template = cacheDirectory.resolve("templates").resolve("minimal");
        Optional<Path> kernel = Optional.of(config.probeKernel().isBlank() ? template.resolve("vmlinux")
                : Path.of(config.probeKernel()));
        Optional<Path> initrd = Optional.of(config.probeInitrd().isBlank() ? template.resolve("initramfs")
                : Path.of(config.probeInitrd()));
        CompletableFuture<AcceleratorProbe.Verdict> verdict = new CompletableFuture<>();
        Thread probe = new Thread(() -> {
            try {
                Path qemu = HostEnvironment.locateQemu(config.qemuBinary(), System.getenv("PATH"));
                verdict.complete(new AcceleratorProbe(qemu, Path.of("/dev/kvm"), Path.of("/sys/module/kvm_pvm"), kernel,
                        initrd, cacheDirectory.resolve("accelerator-probe.json"),
                        Duration.ofSeconds(config.probeTimeoutSeconds()), mapper).probe());
            } catch (RuntimeException e) {
                verdict.complete(new AcceleratorProbe.Verdict(Accelerator.TCG, e.getMessage(), false));
            }
        }, "hal-kvm-probe");
        probe.setDaemon(true);
        probe.start();
        return verdict;
    }

    private static Path cacheDirectory(KvmConfiguration config) {
        if (!config.cacheDirectory().isBlank()) {
            return Path.of(config.cacheDirectory());
        }
        String env = System.getenv("BULKHEAD_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "bulkhead");
    }

    private static Capability capabilityFor(DeviceSpec device) {
        return switch (device.deviceClass()) {
            case "pci" -> Capability.PCI_PASSTHROUGH;
            case "usb" -> Capability.USB_PASSTHROUGH;
            default -> Capability.BLOCK_HOTPLUG;
        };
    }

    private static String diagnostics(RunFiles files) {
        StringBuilder text = new StringBuilder();
        List<String> qemu = HostEnvironment.tail(files.qemuLog(), 4);
        if (!qemu.isEmpty()) {
            text.append("\n  qemu.log: ").append(String.join("\n            ", qemu));
        }
        List<String> console = HostEnvironment.tail(files.consoleLog(), DIAGNOSTIC_LINES);
        if (!console.isEmpty()) {
            text.append("\n  last console lines (").append(files.consoleLog()).append("):\n    ")
                    .append(String.join("\n    ", console));
        }
        return text.toString();
    }

    /** Deletes the sockets QEMU or the backend left in a run directory (QEMU killed by SIGKILL keeps them). */
    private static void removeStaleSockets(Path directory) {
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(directory, "*.sock")) {
            for (Path socket : sockets) {
                deleteQuietly(socket);
            }
        } catch (IOException e) {
            // directory gone: nothing left behind
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
            throw new HypervisorException(null, "the kvm hypervisor backend has been deactivated");
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
