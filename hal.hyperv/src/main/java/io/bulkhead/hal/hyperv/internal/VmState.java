package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.DomainState;
import java.util.Locale;

/**
 * Hyper-V's {@code Microsoft.HyperV.PowerShell.VMState} (what {@code Get-VM} reports as State)
 * with its numeric values, and how each maps onto the hypervisor-neutral {@link DomainState}.
 *
 * <p>Choices worth knowing: a <em>Saved</em> VM (memory on disk, resumable with Start-VM) is
 * reported as {@link DomainState#PAUSED} because, like a paused domain, it keeps its memory and
 * continues where it stopped; {@code Hibernated} (guest-initiated) is
 * {@link DomainState#SUSPENDED}; the <em>Critical</em> variants (the VM lost access to its
 * storage) map like their base state except {@code OffCritical}, which is
 * {@link DomainState#CRASHED} so that core cleans up; {@code Other} (Hyper-V cannot tell) is
 * {@link DomainState#CRASHED} too, never silently "running".
 */
enum VmState {
    OTHER(1, DomainState.CRASHED),
    RUNNING(2, DomainState.RUNNING),
    OFF(3, DomainState.SHUTOFF),
    STOPPING(4, DomainState.SHUTTING_DOWN),
    SAVED(6, DomainState.PAUSED),
    PAUSED(9, DomainState.PAUSED),
    STARTING(10, DomainState.STARTING),
    RESET(11, DomainState.RUNNING),
    SAVING(32773, DomainState.PAUSED),
    PAUSING(32776, DomainState.PAUSED),
    RESUMING(32777, DomainState.RUNNING),
    FAST_SAVED(32779, DomainState.PAUSED),
    FAST_SAVING(32780, DomainState.PAUSED),
    FORCE_SHUTDOWN(32781, DomainState.DYING),
    FORCE_REBOOT(32782, DomainState.RUNNING),
    HIBERNATED(32783, DomainState.SUSPENDED),
    COMPONENT_SERVICING(32784, DomainState.STARTING),
    RUNNING_CRITICAL(32785, DomainState.RUNNING),
    OFF_CRITICAL(32786, DomainState.CRASHED),
    STOPPING_CRITICAL(32787, DomainState.SHUTTING_DOWN),
    SAVED_CRITICAL(32788, DomainState.PAUSED),
    PAUSED_CRITICAL(32789, DomainState.PAUSED),
    STARTING_CRITICAL(32790, DomainState.STARTING),
    RESET_CRITICAL(32791, DomainState.RUNNING),
    SAVING_CRITICAL(32792, DomainState.PAUSED),
    PAUSING_CRITICAL(32793, DomainState.PAUSED),
    RESUMING_CRITICAL(32794, DomainState.RUNNING),
    FAST_SAVED_CRITICAL(32795, DomainState.PAUSED),
    FAST_SAVING_CRITICAL(32796, DomainState.PAUSED);

    private final int number;
    private final DomainState domainState;

    VmState(int number, DomainState domainState) {
        this.number = number;
        this.domainState = domainState;
    }

    /** @return the enum's numeric value (what ConvertTo-Json prints for an enum without ToString) */
    int number() {
        return number;
    }

    DomainState domainState() {
        return domainState;
    }

    /** @return PowerShell's name of the state, e.g. {@code FastSavedCritical} */
    String powerShellName() {
        StringBuilder out = new StringBuilder();
        for (String part : name().split("_")) {
            out.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    /** @return whether Start-VM resumes this VM from saved memory (rather than booting it) */
    boolean saved() {
        return this == SAVED || this == FAST_SAVED || this == SAVED_CRITICAL || this == FAST_SAVED_CRITICAL;
    }

    /** @return whether the VM is neither running nor holding saved memory */
    boolean off() {
        return this == OFF || this == OFF_CRITICAL;
    }

    /**
     * @param text the State as Get-VM reported it: a name ({@code "Running"}) or a number
     * @throws IllegalArgumentException naming the text if it is no Hyper-V state
     */
    static VmState parse(String text) {
        String trimmed = text.trim();
        for (VmState state : values()) {
            if (state.powerShellName().equalsIgnoreCase(trimmed) || String.valueOf(state.number).equals(trimmed)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown Hyper-V VM state '" + text + "'");
    }
}
