package io.bulkhead.hal.local.internal;

import io.bulkhead.core.domains.hal.support.MetatypeConfigurations;

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
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The local-process backend: a "qube" is the Bulkhead guest agent run as a plain process on the
 * host, connected to dom0 through a unix socket. <b>It gives no isolation whatsoever</b>: the
 * agent and everything it runs have the host user's full rights. It exists for development
 * without QEMU and for tests that need qubes starting in milliseconds.
 *
 * <p>Registered as {@link Hypervisor} with {@code hypervisor=local}. Volumes and the boot method
 * of a spec are ignored (the agent works on the host file system); network links are refused at
 * start; snapshots and devices are not supported. On deactivation, and at JVM exit, every agent
 * it started is killed and its sockets removed.
 */
@Component(service = Hypervisor.class, property = Hypervisor.SERVICE_PROPERTY + "=" + LocalHypervisor.ID,
        configurationPid = LocalHypervisor.PID)
@Designate(ocd = LocalConfiguration.class)
public final class LocalHypervisor implements Hypervisor, AutoCloseable {

    static final String ID = "local";
    static final String PID = "io.bulkhead.hal.local";

    private static final System.Logger LOG = System.getLogger(PID);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int DIAGNOSTIC_LINES = 12;
    /** The name becomes a directory name: one path component, no leading dot. */
    private static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    private final LocalSettings settings;
    private final Map<String, DomainSpec> definitions = new ConcurrentHashMap<>();
    private final Map<String, LocalDomain> running = new ConcurrentHashMap<>();
    private final Map<String, Object> lifecycleLocks = new ConcurrentHashMap<>();
    private final List<DomainStateListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService reaper = Executors.newSingleThreadExecutor(daemon("hal-local-reaper"));
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(daemon("hal-local-events"));
    private final Thread exitHook = new Thread(this::killAllAtJvmExit, "hal-local-exit");
    private volatile boolean active = true;

    @Activate
    public LocalHypervisor(LocalConfiguration config, BundleContext context) {
        this(LocalSettings.resolve(config, context::getProperty));
    }

    LocalHypervisor(LocalSettings settings) {
        this.settings = settings;
        Runtime.getRuntime().addShutdownHook(exitHook);
        LOG.log(System.Logger.Level.WARNING, "hypervisor backend 'local' is active: its qubes are plain host "
                + "processes with NO ISOLATION; never use it for real data (run directory " + settings.runDirectory() + ")");
    }

    /**
     * For use outside OSGi (tests, embedding).
     *
     * @param configuration     keys as in {@link LocalConfiguration}
     * @param frameworkProperty stands in for framework properties ({@code bulkhead.agent.jar},
     *                          {@code bulkhead.data.dir}), e.g. {@code System::getProperty}
     */
    public static LocalHypervisor create(Map<String, ?> configuration, UnaryOperator<String> frameworkProperty) {
        return new LocalHypervisor(LocalSettings.resolve(MetatypeConfigurations.of(LocalConfiguration.class, configuration),
                frameworkProperty));
    }

    @Deactivate
    public void deactivate() {
        close();
    }

    /** Kills every agent this backend runs and releases its threads. Idempotent. */
    @Override
    public void close() {
        if (!active) {
            return;
        }
        active = false;
        for (LocalDomain domain : List.copyOf(running.values())) {
            try {
                killDomain(domain, "backend deactivated");
            } catch (RuntimeException e) {
                domain.process().destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, "could not stop the agent of " + domain.name(), e);
            }
        }
        reaper.shutdown();
        notifier.shutdown();
        try {
            // let the last state changes reach the listeners before dropping them
            notifier.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** Pause only; boots are accepted whatever their kind because they are ignored. */
    @Override
    public HypervisorCapabilities capabilities() {
        return new HypervisorCapabilities(Accelerator.NONE,
                EnumSet.of(Capability.PAUSE, Capability.KERNEL_BOOT, Capability.DISK_BOOT));
    }

    @Override
    public void define(DomainSpec spec) {
        ensureActive();
        String name = spec.name();
        if (!DOMAIN_NAME.matcher(name).matches()) {
            throw new HypervisorException(name, "the local backend cannot run a domain named '" + name
                    + "': the name becomes a directory name and must match " + DOMAIN_NAME.pattern());
        }
        synchronized (lock(name)) {
            if (running.containsKey(name)) {
                throw new HypervisorException(name, "cannot redefine domain " + name + ": it is " + state(name));
            }
            definitions.put(name, spec);
        }
    }

    @Override
    public void undefine(String name) {
        synchronized (lock(name)) {
            if (running.containsKey(name)) {
                throw new HypervisorException(name, "cannot undefine domain " + name + ": it is " + state(name));
            }
            if (definitions.remove(name) != null) {
                files(name).removeAll();
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
        LocalDomain domain;
        synchronized (lock(name)) {
            if (running.containsKey(name)) {
                throw new HypervisorException(name, "domain " + name + " is already " + state(name));
            }
            if (!spec.networks().isEmpty()) {
                throw new HypervisorException(name, "cannot start domain " + name + ": the local backend has no network, "
                        + "but the domain is linked to netvm '" + spec.networks().stream().map(NetworkLink::backendDomain)
                        .collect(Collectors.joining("', '")) + "': set netvm to '' (qvm-prefs " + name + " netvm '')");
            }
            Path jar = requireAgentJar(name);
            requireJava(name);
            domain = launch(spec, jar);
        }
        if (!domain.alive()) {
            awaitQuietly(domain);
            throw new HypervisorException(name, "the agent of domain " + name + " exited at once with status "
                    + domain.process().exitValue() + diagnostics(domain.files()));
        }
    }

    private LocalDomain launch(DomainSpec spec, Path jar) {
        String name = spec.name();
        RunFiles files = files(name);
        AgentSocket socket = null;
        Process process;
        try {
            files.checkSocketPaths();
            files.create();
            files.removeRuntimeFiles(); // left by an agent that died with an earlier dom0
            Path rpcDir = prepareRpcDir(name, files);
            AgentLauncher.writeClientWrapper(settings.javaExecutable(), settings.jvmOptions(), jar, files);
            socket = AgentSocket.listen(files.qrexecSocket(), name);
            List<String> command = AgentLauncher.commandLine(settings.javaExecutable(), settings.jvmOptions(), jar, files,
                    rpcDir, settings.logLevel());
            process = AgentLauncher.start(name, command, files);
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                socket.close();
            }
            files.removeRuntimeFiles();
            throw new HypervisorException(name, "cannot start domain " + name + ": " + e.getMessage(), e);
        }
        LocalDomain domain = new LocalDomain(spec, files, process, socket);
        running.put(name, domain);
        fire(name, DomainState.STARTING, "agent launched (pid " + process.pid() + ")");
        process.onExit().thenRunAsync(() -> reap(domain), reaper);
        transition(domain, DomainState.RUNNING, "agent process running");
        return domain;
    }

    private Path prepareRpcDir(String name, RunFiles files) throws IOException {
        Optional<Path> shared = settings.sharedRpcDir();
        if (shared.isPresent()) {
            if (!Files.isDirectory(shared.get())) {
                throw new IOException("the configured service directory (" + PID + " rpcDir) " + shared.get()
                        + " is not a directory");
            }
            return shared.get();
        }
        Files.createDirectories(files.ownRpcDir());
        return files.ownRpcDir();
    }

    private Path requireAgentJar(String name) {
        Path jar = settings.agentJar().orElseThrow(() -> new HypervisorException(name, "cannot start domain " + name
                + ": no guest agent jar is configured: set agentJar in configuration " + PID
                + " or the framework property " + LocalSettings.AGENT_JAR_PROPERTY
                + " to the path of bulkhead-agent.jar (built by `mvn install -pl agent`)"));
        if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw new HypervisorException(name, "cannot start domain " + name + ": the guest agent jar " + jar
                    + " (from " + settings.agentJarSource() + ") is not a readable file");
        }
        return jar;
    }

    private void requireJava(String name) {
        Path java = settings.javaExecutable();
        if (!Files.isExecutable(java) || Files.isDirectory(java)) {
            throw new HypervisorException(name, "cannot start domain " + name + ": the java executable " + java
                    + " is not executable (configuration " + PID + " javaExecutable)");
        }
    }

    @Override
    public void pause(String name) {
        LocalDomain domain = requireRunning(name, "pause");
        DomainState state = domain.state();
        if (state == DomainState.PAUSED) {
            return;
        }
        if (state != DomainState.RUNNING) {
            throw new HypervisorException(name, "cannot pause domain " + name + " while it is " + state);
        }
        // the agent first, so that it starts nothing new while its children are being stopped
        signal(domain, "STOP", "pause");
        transition(domain, DomainState.PAUSED, "paused by host (SIGSTOP)");
    }

    @Override
    public void unpause(String name) {
        LocalDomain domain = requireRunning(name, "unpause");
        DomainState state = domain.state();
        if (state == DomainState.RUNNING) {
            return;
        }
        if (state != DomainState.PAUSED) {
            throw new HypervisorException(name, "cannot unpause domain " + name + " while it is " + state);
        }
        signal(domain, "CONT", "unpause");
        transition(domain, DomainState.RUNNING, "resumed by host (SIGCONT)");
    }

    /**
     * Signals the agent, then every process it started. Only the agent must succeed: a command
     * that ends meanwhile makes {@code kill} fail for its pid, which must not fail the pause.
     */
    private void signal(LocalDomain domain, String signal, String action) {
        try {
            Signals.send(signal, List.of(domain.process().pid()));
        } catch (IOException e) {
            throw new HypervisorException(domain.name(), "cannot " + action + " domain " + domain.name() + ": "
                    + e.getMessage(), e);
        }
        List<Long> children = domain.process().descendants().map(ProcessHandle::pid).toList();
        try {
            Signals.send(signal, children);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "SIG" + signal + " to the processes of " + domain.name() + ": "
                    + e.getMessage());
        }
    }

    @Override
    public boolean shutdown(String name, Duration timeout) {
        LocalDomain domain = running.get(name);
        if (domain == null) {
            return true;
        }
        boolean paused = domain.state() == DomainState.PAUSED;
        domain.expectExit("shut down by host");
        transition(domain, DomainState.SHUTTING_DOWN, "SIGTERM sent to the agent");
        domain.rememberChildren();
        domain.process().destroy();
        if (paused) {
            try {
                // a stopped JVM only handles SIGTERM once it runs again
                Signals.send("CONT", List.of(domain.process().pid()));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "SIGCONT after SIGTERM to " + name + ": " + e.getMessage());
            }
        }
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
        LocalDomain domain = running.get(name);
        if (domain != null) {
            killDomain(domain, "killed by host");
        }
    }

    @Override
    public DomainState state(String name) {
        LocalDomain domain = running.get(name);
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
        throw new CapabilityNotSupportedException(ID, Capability.SNAPSHOT, name);
    }

    @Override
    public void restoreSnapshot(DomainSpec spec, Path file) {
        throw new CapabilityNotSupportedException(ID, Capability.SNAPSHOT, spec.name());
    }

    @Override
    public void attachDevice(String name, DeviceSpec device) {
        throw new CapabilityNotSupportedException(ID, capabilityFor(device), name);
    }

    @Override
    public void detachDevice(String name, DeviceSpec device) {
        throw new CapabilityNotSupportedException(ID, capabilityFor(device), name);
    }

    /**
     * Hands out the agent's connection to {@code qrexec.sock}, waiting for it (interruptibly, up
     * to the configured channel timeout). The agent keeps one connection and reconnects about
     * 200 ms after it ends, so after closing a channel the next call gets the new connection.
     */
    @Override
    public DomainChannel openChannel(String name, String channelName) throws IOException {
        LocalDomain domain = running.get(name);
        if (domain == null) {
            throw new HypervisorException(name, "cannot open channel " + channelName + ": domain " + name
                    + " is not running");
        }
        if (!domain.spec().hasChannel(channelName)) {
            throw new HypervisorException(name, "domain " + name + " has no channel '" + channelName + "' (it has: "
                    + domain.spec().channels().stream().map(ChannelSpec::name).collect(Collectors.joining(", ")) + ")");
        }
        if (!channelName.equals(ChannelSpec.QREXEC)) {
            throw new HypervisorException(name, "the local backend provides only the " + ChannelSpec.QREXEC
                    + " channel, not '" + channelName + "' (domain " + name + ")");
        }
        synchronized (domain.channelLock()) {
            LocalDomainChannel open = domain.channel();
            if (open != null && open.isOpen()) {
                if (!domain.socket().hasPending()) {
                    throw new HypervisorException(name, "channel " + channelName + " of domain " + name
                            + " is already open (the agent keeps one connection; close the previous channel first)");
                }
                // the agent connected again, so it has given the old connection up
                open.close();
            }
            SocketChannel socket = domain.socket().take(settings.channelTimeout(), domain::alive);
            LocalDomainChannel channel = new LocalDomainChannel(name, channelName, socket);
            domain.channel(channel);
            if (domain.terminated().isDone()) {
                channel.close();
                throw new IOException("domain " + name + " stopped while its channel was being opened");
            }
            return channel;
        }
    }

    @Override
    public ListenerRegistration addStateListener(DomainStateListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The agent's output, appended across boots. */
    @Override
    public Optional<Path> consoleLog(String name) {
        if (!definitions.containsKey(name) && !running.containsKey(name)) {
            throw new DomainNotFoundException(ID, name);
        }
        return Optional.of(files(name).consoleLog());
    }

    // ---- process exit ---------------------------------------------------------------------------

    /** Runs once per agent process after it exited: releases everything and reports the end. */
    private void reap(LocalDomain domain) {
        String name = domain.name();
        domain.socket().close();
        LocalDomainChannel channel = domain.channel();
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the peer is gone anyway
            }
        }
        for (ProcessHandle child : domain.livingChildren()) {
            child.destroyForcibly();
        }
        for (ProcessHandle child : domain.livingChildren()) {
            try {
                child.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(System.Logger.Level.WARNING, "process " + child.pid() + " started by the agent of " + name
                        + " did not exit after SIGKILL");
            }
        }
        domain.files().removeRuntimeFiles();
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
            reason = "agent exited";
        } else {
            end = DomainState.CRASHED;
            reason = "agent exited with status " + code + (code > 128 ? " (signal " + (code - 128) + ")" : "")
                    + diagnostics(domain.files());
        }
        synchronized (domain) {
            domain.state(DomainState.SHUTOFF);
        }
        domain.terminated().complete(null);
        fire(name, end, reason);
    }

    private void transition(LocalDomain domain, DomainState newState, String reason) {
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
                    LOG.log(System.Logger.Level.WARNING, "state listener failed for " + name, e);
                }
            }
        });
    }

    private void killDomain(LocalDomain domain, String reason) {
        domain.expectExit(reason);
        transition(domain, DomainState.DYING, reason);
        List<ProcessHandle> children = domain.rememberChildren();
        domain.process().destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        awaitTermination(domain);
    }

    private void awaitTermination(LocalDomain domain) {
        try {
            domain.terminated().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(domain.name(), "interrupted waiting for the agent of " + domain.name()
                    + " to exit");
        } catch (ExecutionException | TimeoutException e) {
            if (domain.alive()) {
                throw new HypervisorException(domain.name(), "the agent of domain " + domain.name() + " (pid "
                        + domain.process().pid() + ") did not exit after SIGKILL");
            }
            if (reaper.isShutdown() && !domain.terminated().isDone()) {
                reap(domain); // deactivated meanwhile: clean up here
            }
        }
    }

    private void awaitQuietly(LocalDomain domain) {
        try {
            domain.terminated().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported by the caller
        }
    }

    private void killAllAtJvmExit() {
        for (LocalDomain domain : running.values()) {
            List<ProcessHandle> children = domain.rememberChildren();
            domain.process().destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
        for (LocalDomain domain : running.values()) {
            try {
                domain.process().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            domain.files().removeRuntimeFiles();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private RunFiles files(String name) {
        return new RunFiles(settings.runDirectory().resolve(name));
    }

    private LocalDomain requireRunning(String name, String action) {
        LocalDomain domain = running.get(name);
        if (domain == null) {
            if (!definitions.containsKey(name)) {
                throw new DomainNotFoundException(ID, name);
            }
            throw new HypervisorException(name, "cannot " + action + " domain " + name + ": it is not running");
        }
        return domain;
    }

    private static Capability capabilityFor(DeviceSpec device) {
        return switch (device.deviceClass()) {
            case "pci" -> Capability.PCI_PASSTHROUGH;
            case "usb" -> Capability.USB_PASSTHROUGH;
            default -> Capability.BLOCK_HOTPLUG;
        };
    }

    /** The last lines of the console log, to quote in errors. */
    private static String diagnostics(RunFiles files) {
        try {
            List<String> lines = Files.readAllLines(files.consoleLog(), StandardCharsets.ISO_8859_1);
            if (lines.isEmpty()) {
                return "";
            }
            List<String> tail = lines.subList(Math.max(0, lines.size() - DIAGNOSTIC_LINES), lines.size());
            return "\n  last console lines (" + files.consoleLog() + "):\n    " + String.join("\n    ", tail);
        } catch (IOException e) {
            return "";
        }
    }

    private Object lock(String name) {
        return lifecycleLocks.computeIfAbsent(name, n -> new Object());
    }

    private void ensureActive() {
        if (!active) {
            throw new HypervisorException(null, "the local hypervisor backend has been deactivated");
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
