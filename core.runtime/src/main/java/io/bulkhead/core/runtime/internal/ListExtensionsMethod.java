package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code bulkhead.extension.List}: deployed extensions and the state of their bundles. */
@Component(property = AdminMethod.METHOD + "=" + RuntimeAdminMethods.EXTENSION_LIST)
public final class ListExtensionsMethod implements AdminMethod {

    private final ExtensionManager extensions;

    @Activate
    public ListExtensionsMethod(@Reference ExtensionManager extensions) {
        this.extensions = extensions;
    }

    @Override
    public String call(AdminRequest request) {
        RuntimeAdminMethods.requireDom0(request);
        return extensions.list();
    }
}
