package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code bulkhead.hypervisor.Get}: selected backend, whether it is registered, and all registered backends. */
@Component(property = AdminMethod.METHOD + "=" + RuntimeAdminMethods.HYPERVISOR_GET)
public final class GetHypervisorMethod implements AdminMethod {

    private final BackendSelection selection;

    @Activate
    public GetHypervisorMethod(@Reference BackendSelection selection) {
        this.selection = selection;
    }

    @Override
    public String call(AdminRequest request) {
        RuntimeAdminMethods.requireDom0(request);
        return selection.status();
    }
}
