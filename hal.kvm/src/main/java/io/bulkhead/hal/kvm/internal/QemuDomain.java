package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One running QEMU process and what belongs to it. Created by {@link KvmHypervisor} when the
 * process is spawned, dropped after the process has exited and its leftovers are cleaned up
 * ({@link #terminated()} completes then).
 */
final class QemuDomain {

    private final DomainSpec spec;
    private final RunFiles files;
    private final Machine machine;
    private final Process process;
    private final VolumeOwnership volumes;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Map<String, QemuDomainChannel> channels = new ConcurrentHashMap<>();
    /** Clients whose link ends this domain (a netvm) listens on. */
    private final Set<String> linkedClients = ConcurrentHashMap.newKeySet();
    private volatile QmpClient qmp;
    private volatile DomainState state = DomainState.STARTING;
    /** Why the process is expected to end (set before we make it end, or by a guest SHUTDOWN event). */
    private volatile String exitReason;

    QemuDomain(DomainSpec spec, RunFiles files, Machine machine, Process process, VolumeOwnership volumes) {
        this.spec = spec;
        this.files = files;
        this.machine = machine;
        this.process = process;
        this.volumes = volumes;
    }

    /** Writable volumes lent to QEMU's user; given back when the process is reaped. */
    VolumeOwnership volumes() {
        return volumes;
    }

    String name() {
        return spec.name();
    }

    DomainSpec spec() {
        return spec;
    }

    RunFiles files() {
        return files;
    }

    Machine machine() {
        return machine;
    }

    Process process() {
        return process;
    }

    QmpClient qmp() {
        return qmp;
    }

    void attach(QmpClient client) {
        this.qmp = client;
    }

    DomainState state() {
        return state;
    }

    void state(DomainState newState) {
        this.state = newState;
    }

    String exitReason() {
        return exitReason;
    }

    /** Records why the process will exit; the first reason wins. */
    void expectExit(String reason) {
        if (exitReason == null) {
            exitReason = reason;
        }
    }

    Map<String, QemuDomainChannel> channels() {
        return channels;
    }

    Set<String> linkedClients() {
        return linkedClients;
    }

    /** Hot-plug port of each linked client (netvms only). */
    private final Map<String, Integer> clientPorts = new java.util.HashMap<>();
    /**
     * Ports of client NICs unplugged but not yet released by the guest (QEMU's DEVICE_DELETED):
     * the port stays taken and the NIC's id in use until then.
     */
    private final Map<String, Integer> removingPorts = new java.util.HashMap<>();

    /** @return a free hot-plug port for {@code client}; throws when all {@code ports} are taken */
    synchronized int claimPort(String client, int ports) throws java.io.IOException {
        for (int port = 0; port < ports; port++) {
            if (!clientPorts.containsValue(port) && !removingPorts.containsValue(port)) {
                clientPorts.put(client, port);
                return port;
            }
        }
        throw new java.io.IOException("netvm '" + name() + "' has no free slot for another client (" + ports + " at most)");
    }

    /** Frees the port of {@code client} at once (its NIC was never plugged). */
    synchronized void releasePort(String client) {
        clientPorts.remove(client);
    }

    /** Marks the NIC of {@code client} as being unplugged: its port stays taken until {@link #removed}. */
    synchronized void removing(String client) {
        Integer port = clientPorts.remove(client);
        if (port != null) {
            removingPorts.put(client, port);
        }
    }

    /** The guest released the NIC of {@code client} (or it was never there): its port is free again. */
    synchronized void removed(String client) {
        clientPorts.remove(client);
        removingPorts.remove(client);
        notifyAll();
    }

    /**
     * Waits until the previous NIC of {@code client}, if any, is gone: a client restarting right
     * after its shutdown gets a NIC with the same id.
     *
     * @return whether it is gone
     */
    synchronized boolean awaitRemoved(String client, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (removingPorts.containsKey(client)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !alive()) {
                return !removingPorts.containsKey(client);
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 100_000_000L));
        }
        return true;
    }

    CompletableFuture<Void> terminated() {
        return terminated;
    }

    boolean alive() {
        return process.isAlive();
    }
}
