package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code bulkhead.extension.Install}, payload: an absolute dom0 path or a URL of a bundle or feature package. */
@Component(property = AdminMethod.METHOD + "=" + RuntimeAdminMethods.EXTENSION_INSTALL)
public final class InstallExtensionMethod implements AdminMethod {

    private final ExtensionManager extensions;

    @Activate
    public InstallExtensionMethod(@Reference ExtensionManager extensions) {
        this.extensions = extensions;
    }

    @Override
    public String call(AdminRequest request) {
        RuntimeAdminMethods.requireDom0(request);
        return extensions.install(request.payloadText());
    }
}
