package io.bulkhead.qvm.internal.gogo;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.qvm.client.AdminTransport;

/**
 * Bulkhead's dom0 management in the console: {@code bulkhead:install URL}, {@code bulkhead:uninstall NAME},
 * {@code bulkhead:extensions}, {@code bulkhead:backend [ID] [--force]}; the same tools as {@code ./bulkhead install} etc.
 */
@Component(service = BulkheadCommands.class, property = {
    "osgi.command.scope=bulkhead",
    "osgi.command.function=install", "osgi.command.function=uninstall", "osgi.command.function=extensions",
    "osgi.command.function=backend"})
public final class BulkheadCommands {
    private final AdminTransport transport;

    @Activate
    public BulkheadCommands(@Reference AdminApi api) {
        this.transport = new AdminApiTransport(api);
    }

    public void install(String... args) {
        SessionTools.run(transport, "bulkhead-install", args);
    }

    public void uninstall(String... args) {
        SessionTools.run(transport, "bulkhead-uninstall", args);
    }

    public void extensions(String... args) {
        SessionTools.run(transport, "bulkhead-extensions", args);
    }

    public void backend(String... args) {
        SessionTools.run(transport, "bulkhead-backend", args);
    }
}
