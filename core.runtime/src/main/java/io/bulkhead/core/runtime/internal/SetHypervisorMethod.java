package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.QubesValueError;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code bulkhead.hypervisor.Set+ID}: switch the backend; payload {@code force} shuts running
 * qubes down first, an empty payload refuses while any qube runs.
 */
@Component(property = AdminMethod.METHOD + "=" + RuntimeAdminMethods.HYPERVISOR_SET)
public final class SetHypervisorMethod implements AdminMethod {

    private final BackendSelection selection;

    @Activate
    public SetHypervisorMethod(@Reference BackendSelection selection) {
        this.selection = selection;
    }

    @Override
    public String call(AdminRequest request) {
        RuntimeAdminMethods.requireDom0(request);
        String payload = request.payloadText().strip();
        if (!payload.isEmpty() && !payload.equals("force")) {
            throw new QubesValueError(request.method() + ": payload must be empty or 'force', not '" + payload + "'");
        }
        return selection.select(request.argument(), payload.equals("force"));
    }
}
