package io.bulkhead.core.admin.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminPermissionHook;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.event.QubesEvent;
import io.bulkhead.core.domains.event.QubesEventListener;
import io.bulkhead.core.policy.PolicyService;

/**
 * Serves the Admin API on the qubesd socket and in process ({@link AdminApi}); listens to every
 * model event for {@code admin.Events}.
 */
@Component(configurationPid = AdminConfig.PID, service = {AdminApi.class, QubesEventListener.class}, immediate = true)
@Designate(ocd = AdminConfig.class)
public final class AdminApiComponent implements AdminApi, QubesEventListener {
    private final List<AdminPermissionHook> hooks = new CopyOnWriteArrayList<>();
    private final Map<String, AdminMethod> contributed = new ConcurrentHashMap<>();
    private final EventHub events = new EventHub();
    private final AdminDispatcher dispatcher;
    private final AdminSocketServer server;

    @Activate
    public AdminApiComponent(@Reference DomainsService domains, @Reference PolicyService policy, AdminConfig config, BundleContext context) {
        this.dispatcher = new AdminDispatcher(domains, policy, () -> hooks, name -> Optional.ofNullable(contributed.get(name)));
        Path socket = config.socket_path().isBlank() ? dataDir(context).resolve("run").resolve("qubesd.sock") : Path.of(config.socket_path());
        try {
            this.server = new AdminSocketServer(socket, dispatcher, events, config.max_connections());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the Admin API on " + socket + ": " + e.getMessage(), e);
        }
    }

    private static Path dataDir(BundleContext context) {
        String configured = context.getProperty("bulkhead.data.dir");
        return configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".bulkhead") : Path.of(configured);
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHook(AdminPermissionHook hook) {
        hooks.add(hook);
    }

    void removeHook(AdminPermissionHook hook) {
        hooks.remove(hook);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addMethod(AdminMethod method, Map<String, Object> properties) {
        Object name = properties.get(AdminMethod.METHOD);
        if (name instanceof String methodName && !methodName.isBlank()) {
            contributed.put(methodName, method);
        }
    }

    void removeMethod(AdminMethod method, Map<String, Object> properties) {
        contributed.values().remove(method);
    }

    @Override
    public String call(AdminRequest request) {
        return dispatcher.call(request);
    }

    @Override
    public void onEvent(QubesEvent event) {
        events.publish(event);
    }
}
