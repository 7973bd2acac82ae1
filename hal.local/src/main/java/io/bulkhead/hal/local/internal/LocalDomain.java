package io.bulkhead.hal.local.internal;

import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One running local qube: its agent process, the socket the agent connects to, and the channel
 * handed out last. Created when the agent is spawned; {@link #terminated()} completes once the
 * process has exited and everything it left is cleaned up.
 */
final class LocalDomain {

    private final DomainSpec spec;
    private final RunFiles files;
    private final Process process;
    private final AgentSocket socket;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Processes the agent started, seen just before it was told to stop (they outlive a killed parent). */
    private final Set<ProcessHandle> children = new LinkedHashSet<>();
    private volatile DomainState state = DomainState.STARTING;
    private volatile String exitReason;
    private final Object channelLock = new Object();
    private volatile LocalDomainChannel channel;

    LocalDomain(DomainSpec spec, RunFiles files, Process process, AgentSocket socket) {
        this.spec = spec;
        this.files = files;
        this.process = process;
        this.socket = socket;
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

    Process process() {
        return process;
    }

    AgentSocket socket() {
        return socket;
    }

    DomainState state() {
        return state;
    }

    void state(DomainState newState) {
        state = newState;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Why the process is expected to end; {@code null} while nobody asked it to. */
    String exitReason() {
        return exitReason;
    }

    /** Records why the process will exit; the first reason wins. */
    void expectExit(String reason) {
        if (exitReason == null) {
            exitReason = reason;
        }
    }

    /** Remembers the agent's current descendants so they can be ended after the agent. */
    synchronized List<ProcessHandle> rememberChildren() {
        process.descendants().forEach(children::add);
        return List.copyOf(children);
    }

    /** @return the remembered descendants that still run */
    synchronized List<ProcessHandle> livingChildren() {
        List<ProcessHandle> living = new ArrayList<>();
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                living.add(child);
            }
        }
        return living;
    }

    /** The channel handed out last (set under {@link #channelLock()}). */
    LocalDomainChannel channel() {
        return channel;
    }

    void channel(LocalDomainChannel newChannel) {
        channel = newChannel;
    }

    /** Serialises openChannel calls of this qube (not the socket's own monitor, which it waits on). */
    Object channelLock() {
        return channelLock;
    }

    CompletableFuture<Void> terminated() {
        return terminated;
    }
}
