package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.hal.Accelerator;
import io.bulkhead.core.domains.hal.Capability;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test double of the HAL SPI: records calls, keeps states in memory, can emulate guest behaviour. */
final class FakeHypervisor implements Hypervisor {

    final String id;
    final Map<String, DomainSpec> defined = new ConcurrentHashMap<>();
    final Map<String, DomainState> states = new ConcurrentHashMap<>();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<DomainStateListener> listeners = new CopyOnWriteArrayList<>();
    volatile boolean guestHonoursShutdown = true;
    volatile RuntimeException failStart;
    /** What the guest "printed" on its serial console; written to console.log in the run directory. */
    volatile String consoleText;

    /** What capabilities() reports; tests may narrow it. */
    volatile EnumSet<Capability> capabilities = EnumSet.of(Capability.PAUSE, Capability.KERNEL_BOOT, Capability.DISK_BOOT);

    FakeHypervisor(String id) {
        this.id = id;
    }

    @Override
    public java.util.Optional<java.nio.file.Path> consoleLog(String domain) {
        DomainSpec spec = defined.get(domain);
        if (spec == null || consoleText == null) {
            return java.util.Optional.empty();
        }
        java.nio.file.Path log = spec.runDirectory().resolve("console.log");
        try {
            java.nio.file.Files.writeString(log, consoleText);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return java.util.Optional.of(log);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public HypervisorCapabilities capabilities() {
        return new HypervisorCapabilities(Accelerator.NONE, capabilities);
    }

    @Override
    public void define(DomainSpec spec) {
        if (states.getOrDefault(spec.name(), DomainState.SHUTOFF) != DomainState.SHUTOFF) {
            throw new HypervisorException(spec.name(), "cannot redefine running domain");
        }
        calls.add("define " + spec.name());
        defined.put(spec.name(), spec);
    }

    @Override
    public void undefine(String domain) {
        calls.add("undefine " + domain);
        defined.remove(domain);
    }

    @Override
    public void start(String domain) {
        if (!defined.containsKey(domain)) {
            throw new DomainNotFoundException(id, domain);
        }
        calls.add("start " + domain);
        if (failStart != null) {
            throw failStart;
        }
        states.put(domain, DomainState.RUNNING);
    }

    @Override
    public void pause(String domain) {
        calls.add("pause " + domain);
        states.put(domain, DomainState.PAUSED);
    }

    @Override
    public void unpause(String domain) {
        calls.add("unpause " + domain);
        states.put(domain, DomainState.RUNNING);
    }

    @Override
    public boolean shutdown(String domain, Duration timeout) {
        calls.add("shutdown " + domain);
        if (guestHonoursShutdown) {
            states.put(domain, DomainState.SHUTOFF);
            return true;
        }
        return false;
    }

    @Override
    public void kill(String domain) {
        calls.add("kill " + domain);
        states.put(domain, DomainState.SHUTOFF);
    }

    @Override
    public DomainState state(String domain) {
        return states.getOrDefault(domain, DomainState.SHUTOFF);
    }

    @Override
    public Map<String, DomainState> domains() {
        return new LinkedHashMap<>(states);
    }

    @Override
    public void saveSnapshot(String domain, Path file) {
        throw new HypervisorException(domain, "not in the fake");
    }

    @Override
    public void restoreSnapshot(DomainSpec spec, Path file) {
        throw new HypervisorException(spec.name(), "not in the fake");
    }

    @Override
    public void attachDevice(String domain, DeviceSpec device) {
        calls.add("attach " + domain + " " + device.port());
    }

    @Override
    public void detachDevice(String domain, DeviceSpec device) {
        calls.add("detach " + domain + " " + device.port());
    }

    @Override
    public DomainChannel openChannel(String domain, String channelName) {
        throw new HypervisorException(domain, "no channels in the fake");
    }

    @Override
    public ListenerRegistration addStateListener(DomainStateListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Emulates the guest powering itself off. */
    void guestPowerOff(String domain) {
        states.put(domain, DomainState.SHUTOFF);
        for (DomainStateListener l : listeners) {
            l.stateChanged(domain, DomainState.SHUTOFF, "guest powered off");
        }
    }

    List<String> callsSnapshot() {
        synchronized (calls) {
            return new ArrayList<>(calls);
        }
    }
}
