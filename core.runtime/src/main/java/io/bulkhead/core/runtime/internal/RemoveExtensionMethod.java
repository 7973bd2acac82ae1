package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code bulkhead.extension.Remove+NAME}: NAME is the deployed file name or a bundle symbolic name. */
@Component(property = AdminMethod.METHOD + "=" + RuntimeAdminMethods.EXTENSION_REMOVE)
public final class RemoveExtensionMethod implements AdminMethod {

    private final ExtensionManager extensions;

    @Activate
    public RemoveExtensionMethod(@Reference ExtensionManager extensions) {
        this.extensions = extensions;
    }

    @Override
    public String call(AdminRequest request) {
        RuntimeAdminMethods.requireDom0(request);
        return extensions.uninstall(request.argument());
    }
}
