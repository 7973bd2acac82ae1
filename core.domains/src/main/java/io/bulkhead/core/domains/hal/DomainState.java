package io.bulkhead.core.domains.hal;

/**
 * Hypervisor-level state of a domain as seen by a backend. core.domains maps it to the Qubes power
 * state (adding {@code Transient} while the qrexec agent has not connected yet).
 */
public enum DomainState {
    /** The backend knows nothing about the domain, or it is defined but not running. */
    SHUTOFF,
    /** Being created/booted by the backend (process spawned, not yet executing guest code). */
    STARTING,
    /** Executing. */
    RUNNING,
    /** Execution paused by {@link Hypervisor#pause(String)} (memory kept). */
    PAUSED,
    /** Guest-initiated suspend to RAM (S3). */
    SUSPENDED,
    /** A graceful shutdown was requested and the guest has not stopped yet. */
    SHUTTING_DOWN,
    /** Being destroyed (resources being released). */
    DYING,
    /** Stopped abnormally (guest crash, emulator died); resources may still need cleanup. */
    CRASHED
}
