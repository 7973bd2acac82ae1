package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.PermissionDenied;
import io.bulkhead.core.domains.QubesException;

/**
 * Names and shared checks of the dom0-only Admin API methods of this bundle. They change what
 * dom0 runs, so only dom0's own socket may call them; a qube reaching them through qrexec (only
 * possible if a policy allows it) is refused.
 */
final class RuntimeAdminMethods {

    static final String EXTENSION_LIST = "bulkhead.extension.List";
    static final String EXTENSION_INSTALL = "bulkhead.extension.Install";
    static final String EXTENSION_REMOVE = "bulkhead.extension.Remove";
    static final String HYPERVISOR_GET = "bulkhead.hypervisor.Get";
    static final String HYPERVISOR_SET = "bulkhead.hypervisor.Set";

    private RuntimeAdminMethods() {
    }

    static void requireDom0(AdminRequest request) {
        if (!"dom0".equals(request.source())) {
            throw new PermissionDenied(request.method() + " changes what dom0 runs and is only available to dom0");
        }
        if (!request.toAdminVm()) {
            throw new QubesException(request.method() + " must be called on dom0, not on '" + request.destination() + "'");
        }
    }
}
