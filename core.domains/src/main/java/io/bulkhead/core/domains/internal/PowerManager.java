package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.AgentReadiness;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.QubesNoTemplateError;
import io.bulkhead.core.domains.QubesVMError;
import io.bulkhead.core.domains.QubesVMNotPausedError;
import io.bulkhead.core.domains.QubesVMNotRunningError;
import io.bulkhead.core.domains.QubesVMNotStartedError;
import io.bulkhead.core.domains.QubesVMShutdownTimeoutError;
import io.bulkhead.core.domains.event.DomainEvent;
import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.ChannelSpec;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.VolumeSpec;
import io.bulkhead.core.domains.internal.model.Model;
import io.bulkhead.core.domains.internal.model.Network;
import io.bulkhead.core.domains.internal.model.QubeRecord;
import io.bulkhead.core.domains.storage.ActiveVolume;
import io.bulkhead.core.domains.storage.Pool;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Start/shutdown/kill/pause orchestration against the selected {@link Hypervisor} (reference
 * §1.8). Life-cycle operations of one qube are serialised by a per-qube lock; the model lock is
 * only held while reading/building, never while waiting for the hypervisor or the agent.
 */
final class PowerManager {

    private final DomainsServiceImpl svc;
    private final Map<String, ReentrantLock> lifecycleLocks = new ConcurrentHashMap<>();
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bulkhead-domains-state");
        t.setDaemon(true);
        return t;
    });

    PowerManager(DomainsServiceImpl svc) {
        this.svc = svc;
    }

    void close() {
        callbacks.shutdownNow();
        try {
            callbacks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ReentrantLock lockFor(String qube) {
        return lifecycleLocks.computeIfAbsent(qube, k -> new ReentrantLock());
    }

    private String resolve(String address, String action) {
        return svc.read(() -> {
            QubeRecord q = svc.model().qube(address);
            if (q.isAdmin()) {
                throw new QubesVMError(q.name, "Cannot " + action + " dom0: it is always running");
            }
            return q.name;
        });
    }

    // ---- start -------------------------------------------------------------------------------

    void start(String address) {
        startChain(resolve(address, "start"), new LinkedHashSet<>());
    }

    private void startChain(String name, Set<String> chain) {
        if (!chain.add(name)) {
            throw new QubesVMError(name, "Network loop while starting: " + String.join(" -> ", chain) + " -> " + name);
        }
        ReentrantLock lock = lockFor(name);
        lock.lock();
        try {
            Optional<String> netvm = svc.read(() -> preStartChecks(name));
            if (svc.runtime().get(name) != PowerState.HALTED) {
                return;
            }
            svc.fire(new DomainEvent(DomainEvent.Kind.PRE_START, name));
            Hypervisor h = svc.hypervisors().require("start qube '" + name + "'");
            if (netvm.isPresent() && !svc.runtime().get(netvm.get()).isActive()) {
                try {
                    startChain(netvm.get(), chain);
                } catch (QubesException e) {
                    throw failedStart(name, "cannot start its netvm '" + netvm.get() + "': " + e.getMessage(), e);
                }
            }
            try {
                svc.devices().checkRequired(name, assignments(name));
            } catch (QubesException e) {
                svc.fire(new DomainEvent(DomainEvent.Kind.START_FAILED, name, Map.of("reason", e.getMessage())));
                throw e;
            }
            spawn(name, h);
        } finally {
            lock.unlock();
        }
    }

    /** @return the netvm to start first; throws when start is not allowed */
    private Optional<String> preStartChecks(String name) {
        Model m = svc.model();
        QubeRecord q = m.qube(name);
        if (svc.runtime().get(name) != PowerState.HALTED) {
            return Optional.empty();
        }
        String prohibit = q.features.get("prohibit-start");
        if (prohibit != null) {
            svc.fire(new DomainEvent(DomainEvent.Kind.START_FAILED, name, Map.of("reason", "prohibit-start: " + prohibit)));
            throw new QubesVMError(name, "Qube '" + name + "' start prohibited (feature prohibit-start): " + prohibit);
        }
        if (q.klass.isTemplateBased()) {
            QubeRecord template = m.template(q).orElseThrow(() -> new QubesNoTemplateError(name,
                    "Template for the domain '" + name + "' not found"));
            if (q.klass == QubeClass.DISP_VM && !m.boolValue(template, "template_for_dispvms")) {
                throw new QubesVMError(name, "Disposable '" + name + "' cannot start: its template '" + template.name
                        + "' has template_for_dispvms=False");
            }
        }
        return m.vmValue(q, "netvm").map(n -> n.name);
    }

    private void spawn(String name, Hypervisor h) {
        List<VolumeConfig> started = new ArrayList<>();
        svc.runtime().set(name, PowerState.TRANSIENT);
        boolean spawned = false;
        try {
            if (svc.hypervisors().current().orElse(null) != h) {
                throw new QubesVMError(name, "Failed to start qube '" + name + "': the hypervisor backend changed while it was starting");
            }
            DomainSpec spec = svc.read(() -> buildSpec(name, started));
            checkBootSupported(name, spec, h);
            svc.fire(new DomainEvent(DomainEvent.Kind.PRE_SPAWN, name));
            h.define(spec);
            spawned = true;
            h.start(name);
            svc.runtime().started(name, Instant.now().getEpochSecond());
            svc.fire(new DomainEvent(DomainEvent.Kind.SPAWN, name));
            svc.devices().attachAtStart(name, assignments(name));
            waitForAgent(name, h);
            svc.runtime().set(name, PowerState.RUNNING);
            svc.fire(new DomainEvent(DomainEvent.Kind.START, name));
        } catch (RuntimeException e) {
            if (spawned) {
                try {
                    h.kill(name);
                } catch (RuntimeException killFailure) {
                    e.addSuppressed(killFailure);
                }
            }
            stopVolumes(name, started, e);
            svc.runtime().set(name, PowerState.HALTED);
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            svc.fire(new DomainEvent(DomainEvent.Kind.START_FAILED, name, Map.of("reason", reason)));
            throw e instanceof QubesException ? (QubesException) e : failedStart(name, reason, e);
        }
    }

    /** A backend that cannot boot the way the qube asks is named before anything is spawned. */
    private static void checkBootSupported(String name, DomainSpec spec, Hypervisor h) {
        boolean kernelBoot = spec.boot() instanceof DomainSpec.KernelBoot;
        Capability needed = kernelBoot ? Capability.KERNEL_BOOT : Capability.DISK_BOOT;
        if (!h.capabilities().supports(needed)) {
            throw new QubesVMError(name, "Failed to start qube '" + name + "': the " + h.id() + " backend cannot "
                    + (kernelBoot ? "boot a kernel directly; set the qube's kernel property to '' to boot from its disk"
                            : "boot from a disk; set the qube's kernel property to one of the installed kernels"));
        }
    }

    private List<io.bulkhead.core.domains.device.DeviceAssignment> assignments(String name) {
        return svc.read(() -> List.copyOf(svc.model().qube(name).devices));
    }

    private static QubesVMError failedStart(String name, String reason, Throwable cause) {
        return new QubesVMError(name, "Failed to start qube '" + name + "': " + reason, cause);
    }

    private void waitForAgent(String name, Hypervisor h) {
        AgentReadiness readiness = svc.agentReadiness();
        Model m = svc.model();
        int timeout = svc.read(() -> m.intValue(m.qube(name), "qrexec_timeout"));
        boolean expectsAgent = svc.read(() -> m.featureWithTemplate(m.qube(name), "qrexec").filter(v -> !v.isEmpty()).isPresent());
        if (!expectsAgent) {
            return; // like Qubes: only qubes with feature qrexec are waited for
        }
        if (readiness == null) {
            svc.log().accept("not waiting for the qrexec agent of '" + name
                    + "': no AgentReadiness service is registered (core.qrexec not running)", null);
            return;
        }
        boolean ready;
        try {
            ready = readiness.awaitAgent(name, Duration.ofSeconds(timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QubesVMError(name, "Interrupted while waiting for the qrexec agent of '" + name + "'; the qube was killed", e);
        }
        if (!ready) {
            throw new QubesVMError(name, "Cannot connect to qrexec agent of '" + name + "' for " + timeout
                    + " seconds (qrexec_timeout); the qube was killed" + lastConsoleLines(name, h));
        }
    }

    private static final int CONSOLE_LINES = 15;

    /** The end of the qube's console log, to show why its agent never came up. */
    private static String lastConsoleLines(String name, Hypervisor h) {
        Optional<Path> log;
        try {
            log = h.consoleLog(name);
        } catch (RuntimeException e) {
            return "";
        }
        if (log.isEmpty() || !Files.isReadable(log.get())) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(log.get(), java.nio.charset.StandardCharsets.ISO_8859_1);
            List<String> tail = lines.subList(Math.max(0, lines.size() - CONSOLE_LINES), lines.size());
            return "\nlast console lines (" + log.get() + "):\n  " + String.join("\n  ", tail);
        } catch (IOException e) {
            return "\n(console log " + log.get() + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** Starts storage and describes the domain; records started volumes for cleanup. Model lock held. */
    private DomainSpec buildSpec(String name, List<VolumeConfig> started) {
        Model m = svc.model();
        QubeRecord q = m.qube(name);
        Path runDir = svc.dataDir().resolve("run").resolve(name);
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new QubesVMError(name, "Cannot create run directory " + runDir + ": " + e, e);
        }
        DomainSpec.Builder b = DomainSpec.builder(name, q.uuid, runDir);
        // features first, so that the properties below win on a (theoretical) name clash
        q.features.forEach(b::option);
        b.memory(m.intValue(q, "memory"), m.intValue(q, "maxmem"))
                .vcpus(m.intValue(q, "vcpus"))
                .providesNetwork(m.boolValue(q, "provides_network"))
                .channel(ChannelSpec.QREXEC)
                .channel(ChannelSpec.QUBESDB)
                .option("klass", q.klass.qubesName())
                .option("label", m.value(q, "label"))
                .option("virt_mode", m.value(q, "virt_mode"))
                .option("kernelopts", m.value(q, "kernelopts"))
                .option("debug", m.value(q, "debug"))
                .option("default_user", m.value(q, "default_user"));
        String kernel = m.value(q, "kernel");
        if (!kernel.isEmpty()) {
            Path dir = m.env().kernelsDir().resolve(kernel);
            Path initrd = dir.resolve("initramfs");
            // only the qube's own options: the console and root device depend on the backend (Xen's
            // hvc0 and dm root, QEMU's ttyS0 and virtio-blk serials), so backends add them
            String cmdline = m.value(q, "kernelopts").strip();
            b.boot(new DomainSpec.KernelBoot(dir.resolve("vmlinuz"),
                    Files.isRegularFile(initrd) ? Optional.of(initrd) : Optional.empty(), cmdline));
        } else {
            b.boot(new DomainSpec.DiskBoot());
        }
        if (m.boolValue(q, "provides_network")) {
            // the address this netvm shows its clients as their gateway (its guest puts it on each client link)
            b.option("gateway", m.value(q, "gateway"));
        }
        Optional<QubeRecord> netvm = m.vmValue(q, "netvm");
        if (netvm.isPresent()) {
            b.network(new NetworkLink(netvm.get().name, m.value(q, "mac"), m.value(q, "ip"), m.value(netvm.get(), "gateway"),
                    Network.NETMASK, List.of(Network.DNS1, Network.DNS2)));
        }
        for (VolumeConfig v : q.volumes.values()) {
            VolumeConfig effective = v.name().equals("kernel")
                    ? new VolumeConfig("kernel", v.pool(), kernel, 0, false, false, false, Optional.empty(), Optional.empty(), false)
                    : v;
            Pool pool = svc.storage().pool(m, effective);
            pool.verify(effective);
        }
        for (VolumeConfig v : q.volumes.values()) {
            VolumeConfig effective = v.name().equals("kernel")
                    ? new VolumeConfig("kernel", v.pool(), kernel, 0, false, false, false, Optional.empty(), Optional.empty(), false)
                    : v;
            Pool pool = svc.storage().pool(m, effective);
            Optional<ActiveVolume> active = pool.start(effective);
            started.add(effective);
            active.ifPresent(a -> b.volume(new VolumeSpec(effective.name(), a.path(), a.format(), !effective.rw(), a.backing())));
        }
        return b.build();
    }

    private void stopVolumes(String name, List<VolumeConfig> volumes, RuntimeException failure) {
        svc.read(() -> {
            for (VolumeConfig v : volumes) {
                try {
                    svc.storage().pool(svc.model(), v).stop(v);
                } catch (RuntimeException e) {
                    if (failure != null) {
                        failure.addSuppressed(e);
                    } else {
                        svc.log().accept("cannot stop volume " + v.vid() + " of '" + name + "'", e);
                    }
                }
            }
            return null;
        });
    }

    /** Stops the storage of a qube whose domain is gone and fires the stop events. Idempotent. */
    private void handleStopped(String name, String reason) {
        ReentrantLock lock = lockFor(name);
        lock.lock();
        try {
            if (svc.runtime().get(name) == PowerState.HALTED) {
                return;
            }
            if (backendStillRuns(name)) {
                // a late report about an earlier instance: the qube was restarted meanwhile
                svc.log().accept("ignored a stale stop report for '" + name + "' (" + reason + "): its backend runs it", null);
                return;
            }
            svc.fire(new DomainEvent(DomainEvent.Kind.STOPPED, name, Map.of("reason", reason)));
            List<VolumeConfig> volumes = svc.read(() -> svc.model().find(name)
                    .map(q -> effectiveVolumes(q)).orElse(List.of()));
            stopVolumes(name, volumes, null);
            svc.runtime().set(name, PowerState.HALTED);
            svc.fire(new DomainEvent(DomainEvent.Kind.SHUTDOWN, name));
            boolean autoCleanup = svc.read(() -> svc.model().find(name)
                    .map(q -> q.klass == QubeClass.DISP_VM && svc.model().boolValue(q, "auto_cleanup")).orElse(false));
            if (autoCleanup) {
                try {
                    svc.remove(name);
                } catch (RuntimeException e) {
                    svc.log().accept("cannot remove disposable '" + name + "' after shutdown", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the selected backend reports the domain as (being) started right now. */
    private boolean backendStillRuns(String name) {
        Optional<Hypervisor> h = svc.hypervisors().current();
        if (h.isEmpty()) {
            return false;
        }
        try {
            DomainState now = h.get().state(name);
            return now == DomainState.STARTING || now == DomainState.RUNNING || now == DomainState.PAUSED
                    || now == DomainState.SUSPENDED;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private List<VolumeConfig> effectiveVolumes(QubeRecord q) {
        List<VolumeConfig> out = new ArrayList<>();
        for (VolumeConfig v : q.volumes.values()) {
            if (!v.name().equals("kernel")) {
                out.add(v);
            }
        }
        return out;
    }

    // ---- shutdown / kill / pause -----------------------------------------------------------

    void shutdown(String address, boolean force, boolean wait, Duration timeout) {
        String name = resolve(address, "shut down");
        ReentrantLock lock = lockFor(name);
        lock.lock();
        try {
            PowerState state = svc.runtime().get(name);
            if (state == PowerState.HALTED) {
                throw new QubesVMNotStartedError(name);
            }
            List<String> clients = svc.read(() -> svc.model().netvmClients(svc.model().qube(name), true));
            if (!force && !clients.isEmpty()) {
                throw new QubesVMError(name, "There are other qubes connected to '" + name + "': "
                        + String.join(", ", clients) + " (shut them down first, or force)");
            }
            svc.fire(new DomainEvent(DomainEvent.Kind.PRE_SHUTDOWN, name, Map.of("force", force ? "True" : "False")));
            Hypervisor h = svc.hypervisors().require("shut down qube '" + name + "'");
            Duration limit = timeout != null ? timeout
                    : Duration.ofSeconds(svc.read(() -> svc.model().intValue(svc.model().qube(name), "shutdown_timeout")));
            svc.runtime().set(name, PowerState.HALTING);
            boolean down;
            try {
                down = h.shutdown(name, wait ? limit : Duration.ZERO);
            } catch (RuntimeException e) {
                svc.runtime().set(name, state);
                svc.fire(new DomainEvent(DomainEvent.Kind.SHUTDOWN_FAILED, name, Map.of("reason", String.valueOf(e.getMessage()))));
                throw new QubesVMError(name, "Shutdown of '" + name + "' failed: " + e.getMessage(), e);
            }
            if (down) {
                handleStopped(name, "shutdown");
            } else if (wait) {
                svc.runtime().set(name, state);
                svc.fire(new DomainEvent(DomainEvent.Kind.SHUTDOWN_FAILED, name, Map.of("reason", "timeout")));
                throw new QubesVMShutdownTimeoutError(name, "Domain shutdown timed out: '" + name + "' still runs after "
                        + limit.toSeconds() + " seconds");
            }
        } finally {
            lock.unlock();
        }
    }

    void kill(String address) {
        String name = resolve(address, "kill");
        ReentrantLock lock = lockFor(name);
        lock.lock();
        try {
            if (svc.runtime().get(name) == PowerState.HALTED) {
                throw new QubesVMNotStartedError(name);
            }
            Hypervisor h = svc.hypervisors().require("kill qube '" + name + "'");
            h.kill(name);
            handleStopped(name, "killed");
        } finally {
            lock.unlock();
        }
    }

    void pause(String address) {
        String name = resolve(address, "pause");
        ReentrantLock lock = lockFor(name);
        lock.lock();
        try {
            PowerState state = svc.runtime().get(name);
            if (state != PowerState.RUNNING && state != PowerState.TRANSIENT) {
                throw new QubesVMNotRunningError(name);
            }
            svc.fire(new DomainEvent(DomainEvent.Kind.PRE_PAUSED, name));
            svc.hypervisors().require("pause qube '" + name + "'").pause(name);
            svc.runtime().set(name, PowerState.PAUSED);
            svc.fire(new DomainEvent(DomainEvent.Kind.PAUSED, name));
        } finally {
            lock.unlock();
        }
    }

    void unpause(String address) {
        String name = resolve(address, "unpause");
        ReentrantLock lock = lockFor(name);
        lock.lock();
        try {
            if (svc.runtime().get(name) != PowerState.PAUSED) {
                throw new QubesVMNotPausedError(name);
            }
            svc.fire(new DomainEvent(DomainEvent.Kind.PRE_UNPAUSED, name));
            svc.hypervisors().require("unpause qube '" + name + "'").unpause(name);
            svc.runtime().set(name, PowerState.RUNNING);
            svc.fire(new DomainEvent(DomainEvent.Kind.UNPAUSED, name));
        } finally {
            lock.unlock();
        }
    }

    // ---- backend callbacks ----------------------------------------------------------------------

    /** Backend thread: hand over to our own thread so the backend is never blocked by storage work. */
    void onBackendStateChange(String domain, DomainState newState, String reason) {
        try {
            callbacks.execute(() -> applyBackendState(domain, newState, reason));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // service closing
        }
    }

    private void applyBackendState(String domain, DomainState newState, String reason) {
        try {
            switch (newState) {
                case SHUTOFF:
                case CRASHED:
                    handleStopped(domain, reason == null || reason.isEmpty() ? newState.name().toLowerCase() : reason);
                    break;
                case PAUSED:
                    transition(domain, PowerState.RUNNING, PowerState.PAUSED, DomainEvent.Kind.PAUSED);
                    break;
                case RUNNING:
                    transition(domain, PowerState.PAUSED, PowerState.RUNNING, DomainEvent.Kind.UNPAUSED);
                    break;
                default:
                    break;
            }
        } catch (RuntimeException e) {
            svc.log().accept("failed to apply state " + newState + " of domain " + domain, e);
        }
    }

    private void transition(String name, PowerState from, PowerState to, DomainEvent.Kind event) {
        ReentrantLock lock = lockFor(name);
        lock.lock();
        try {
            if (svc.runtime().get(name) == from) {
                svc.runtime().set(name, to);
                svc.fire(new DomainEvent(event, name));
            }
        } finally {
            lock.unlock();
        }
    }

    /** A (new) backend was selected: adopt what it runs, clean up storage of what it does not. */
    void reconcile(Hypervisor h) {
        List<String> names = svc.read(() -> {
            List<String> out = new ArrayList<>();
            for (QubeRecord q : svc.model().state().qubes()) {
                if (!q.isAdmin()) {
                    out.add(q.name);
                }
            }
            return out;
        });
        for (String name : names) {
            DomainState st;
            try {
                st = h.state(name);
            } catch (RuntimeException e) {
                svc.log().accept("backend " + h.id() + " cannot report the state of " + name, e);
                continue;
            }
            PowerState mapped = map(st);
            if (mapped.isActive()) {
                if (svc.runtime().get(name) == PowerState.HALTED) {
                    svc.runtime().set(name, mapped);
                }
            } else if (svc.runtime().get(name) != PowerState.HALTED) {
                handleStopped(name, "not running in backend " + h.id());
            } else {
                cleanupStaleStorage(name);
            }
        }
    }

    private void cleanupStaleStorage(String name) {
        svc.read(() -> {
            QubeRecord q = svc.model().find(name).orElse(null);
            if (q == null) {
                return null;
            }
            for (VolumeConfig v : effectiveVolumes(q)) {
                try {
                    Pool pool = svc.storage().pool(svc.model(), v);
                    if (pool.isRunning(v)) {
                        svc.log().accept("stopping stale volume " + v.vid() + " of halted qube " + name, null);
                        pool.stop(v);
                    }
                } catch (RuntimeException e) {
                    svc.log().accept("cannot clean up volume " + v.vid() + " of " + name, e);
                }
            }
            return null;
        });
    }

    static PowerState map(DomainState st) {
        switch (st) {
            case RUNNING:
                return PowerState.RUNNING;
            case STARTING:
                return PowerState.TRANSIENT;
            case PAUSED:
                return PowerState.PAUSED;
            case SUSPENDED:
                return PowerState.SUSPENDED;
            case SHUTTING_DOWN:
                return PowerState.HALTING;
            case DYING:
                return PowerState.DYING;
            case CRASHED:
                return PowerState.CRASHED;
            case SHUTOFF:
            default:
                return PowerState.HALTED;
        }
    }
}
