package io.bulkhead.core.domains.hal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A hypervisor backend: runs domains described by {@link DomainSpec}s.
 *
 * <p><b>Registration.</b> Each backend is one DS component providing this interface with the
 * service property {@code hypervisor=<id>} ({@link #SERVICE_PROPERTY}), where {@code <id>} equals
 * {@link #id()} ({@code kvm}, {@code xen}, {@code hyperv}, ...). core.domains uses the backend
 * selected by its configuration and must cope with it being unregistered at any time: after
 * deactivation a backend may throw {@link HypervisorException} from every method.
 *
 * <p><b>Domain identity.</b> Domains are addressed by name (Qubes names are write-once). The
 * backend keeps whatever native handle it needs (QEMU pid + QMP socket, Xen domid, Hyper-V VM id)
 * keyed by that name.
 *
 * <p><b>Life cycle.</b> core.domains calls {@link #define(DomainSpec)} before every
 * {@link #start(String)} (the spec is recomputed at each start, like Qubes renders its libvirt XML
 * at each start), then waits for the qrexec agent itself (through the channel from
 * {@link #openChannel(String, String)} or the qrexec bundle). {@link #kill(String)} and
 * {@link #shutdown(String, Duration)} end it; storage clean-up is core's job, the backend only
 * releases its own runtime resources (processes, sockets, run directory contents).
 *
 * <p><b>Threads.</b> Methods may be called concurrently for different domains; core serialises
 * life-cycle calls for one domain. Blocking calls honour interruption where the medium allows.
 *
 * <p><b>Errors.</b> Failures throw {@link HypervisorException} (unchecked) naming domain and
 * operation; missing optional features throw {@link CapabilityNotSupportedException}; an unknown
 * domain gives {@link DomainNotFoundException} unless a method says otherwise.
 */
public interface Hypervisor {

    /** Service property carrying the backend id, e.g. {@code hypervisor=kvm}. */
    String SERVICE_PROPERTY = "hypervisor";

    /** @return backend id, equal to the {@value #SERVICE_PROPERTY} service property */
    String id();

    /** @return what this backend can do right now */
    HypervisorCapabilities capabilities();

    /**
     * Creates or replaces the definition of a domain. Must not change a running domain: if the
     * domain is not {@link DomainState#SHUTOFF} the call throws {@link HypervisorException}.
     * Backends without persistent definitions (QEMU) keep the spec (or the rendered command line)
     * until {@link #start(String)}; persistent ones (libvirt, Hyper-V) create/replace the VM object.
     *
     * @param spec the complete domain description
     */
    void define(DomainSpec spec);

    /**
     * Forgets a halted domain's definition and removes backend-owned files of it (not its volumes).
     * A no-op for an unknown domain; throws {@link HypervisorException} if the domain is running.
     */
    void undefine(String domain);

    /**
     * Boots a defined domain and returns once the guest executes ({@link DomainState#RUNNING}).
     * It does not wait for anything inside the guest (agent, services): that is core's job.
     * On failure everything the backend spawned is cleaned up before throwing.
     */
    void start(String domain);

    /** Suspends execution of a running domain, keeping its memory. Needs {@link Capability#PAUSE}. */
    void pause(String domain);

    /** Resumes a paused domain. Needs {@link Capability#PAUSE}. */
    void unpause(String domain);

    /**
     * Requests a graceful shutdown (ACPI power button, {@code xl shutdown}, {@code Stop-VM}) and
     * waits up to {@code timeout} for the domain to stop. Does <em>not</em> kill on timeout: the
     * caller decides. {@link Duration#ZERO} only sends the request.
     *
     * @return {@code true} if the domain is {@link DomainState#SHUTOFF} on return
     */
    boolean shutdown(String domain, Duration timeout);

    /**
     * Destroys a domain immediately (SIGKILL of the emulator, {@code xl destroy},
     * {@code Stop-VM -TurnOff}) and returns once it is {@link DomainState#SHUTOFF}. A no-op for a
     * domain that is not running.
     */
    void kill(String domain);

    /** @return current state; {@link DomainState#SHUTOFF} for an unknown domain (no exception) */
    DomainState state(String domain);

    /**
     * @return every domain this backend knows (defined or running) with its state; used at
     *         startup to reconcile the model with what survived a restart of dom0's JVM
     */
    Map<String, DomainState> domains();

    /**
     * Saves the complete state (memory + devices) of a running or paused domain to {@code file};
     * the domain is {@link DomainState#SHUTOFF} afterwards. Needs {@link Capability#SNAPSHOT}.
     * Disk contents are not included: the caller keeps the volumes unchanged until restore.
     */
    void saveSnapshot(String domain, Path file);

    /**
     * Re-creates a domain from {@code spec} and a file written by {@link #saveSnapshot}; the
     * domain is left {@link DomainState#PAUSED} so the caller can finish wiring (network, shares)
     * before {@link #unpause(String)}. Needs {@link Capability#SNAPSHOT}.
     */
    void restoreSnapshot(DomainSpec spec, Path file);

    /**
     * Hot-plugs a device into a running domain. Needs the matching capability
     * ({@link Capability#PCI_PASSTHROUGH}, {@link Capability#USB_PASSTHROUGH},
     * {@link Capability#BLOCK_HOTPLUG}).
     */
    void attachDevice(String domain, DeviceSpec device);

    /** Hot-unplugs a device attached with {@link #attachDevice}; identified by class, backend and port. */
    void detachDevice(String domain, DeviceSpec device);

    /**
     * Opens the host end of a channel declared in the domain's {@link DomainSpec#channels()}
     * while the domain is running or starting. The guest may not have opened its end yet; callers
     * wait for a protocol-level hello. Each call returns a new connection where the medium allows
     * several, else throws {@link HypervisorException} while another one is open.
     *
     * @throws IOException if the transport cannot be connected
     */
    DomainChannel openChannel(String domain, String channelName) throws IOException;

    /** Opens the {@link ChannelSpec#QREXEC} channel; see {@link #openChannel(String, String)}. */
    default DomainChannel openQrexecChannel(String domain) throws IOException {
        return openChannel(domain, ChannelSpec.QREXEC);
    }

    /**
     * @return path of a text console (pty or unix socket) of a running domain, if the backend
     *         exposes one (Admin API {@code admin.vm.Console})
     */
    default Optional<Path> consolePath(String domain) {
        return Optional.empty();
    }

    /**
     * @return the file the domain's serial console is logged to (current or last boot), if the
     *         backend keeps one; core quotes its last lines when a qube fails to start
     */
    default Optional<Path> consoleLog(String domain) {
        return Optional.empty();
    }

    /**
     * Registers a listener for state changes of every domain of this backend.
     *
     * @return handle to unregister; backends drop all listeners when deactivated
     */
    ListenerRegistration addStateListener(DomainStateListener listener);
}
