package io.bulkhead.core.domains;

/** Power states of a qube as reported by Qubes' {@code get_power_state()}. */
public enum PowerState {
    HALTED("Halted"),
    /** Domain runs but is not fully usable yet (qrexec agent not connected). */
    TRANSIENT("Transient"),
    RUNNING("Running"),
    PAUSED("Paused"),
    SUSPENDED("Suspended"),
    HALTING("Halting"),
    DYING("Dying"),
    CRASHED("Crashed"),
    /** Not available: the state cannot be determined (e.g. no hypervisor backend). */
    NA("NA");

    private final String qubesName;

    PowerState(String qubesName) {
        this.qubesName = qubesName;
    }

    /** @return the name Qubes prints ({@code Halted}, {@code Running}, ...) */
    public String qubesName() {
        return qubesName;
    }

    /** @return true for every state except {@link #HALTED}, {@link #CRASHED} and {@link #NA} */
    public boolean isActive() {
        return this != HALTED && this != CRASHED && this != NA;
    }

    @Override
    public String toString() {
        return qubesName;
    }
}
