package io.bulkhead.core.domains.hal;

/**
 * Receives state changes of domains run by a backend, including changes the host did not ask for
 * (guest powered itself off, emulator crashed). Registered with
 * {@link Hypervisor#addStateListener(DomainStateListener)}.
 *
 * <p>Backends call listeners from their own threads, never while holding locks that the listener
 * could need to call back into the backend. Listeners must return quickly.
 */
@FunctionalInterface
public interface DomainStateListener {

    /**
     * @param domain   domain name
     * @param newState the state just entered
     * @param reason   short human-readable cause (e.g. "guest shutdown", "qemu exited with 1"),
     *                 empty if none
     */
    void stateChanged(String domain, DomainState newState, String reason);
}
