package io.bulkhead.core.admin;

/**
 * Qubes' {@code admin-permission:<method>} extension point: every call, from the dom0 socket or
 * from a qube through qrexec, passes every registered hook before it is performed.
 */
public interface AdminPermissionHook {

    /**
     * Refuses a call by throwing {@link io.bulkhead.core.domains.PermissionDenied}.
     *
     * @param request the call about to be performed
     */
    void check(AdminRequest request);

    /**
     * Filters listing calls ({@code admin.vm.List}, {@code admin.Events}): return false to hide
     * {@code qube} from the caller of {@code request}.
     *
     * @param request the listing call
     * @param qube    a qube that would be listed (or the subject of an event)
     * @return whether the caller may see it
     */
    default boolean mayList(AdminRequest request, String qube) {
        return true;
    }
}
