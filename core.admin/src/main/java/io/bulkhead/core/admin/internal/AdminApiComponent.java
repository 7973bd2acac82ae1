package io.bulkhead.core.admin.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminPermissionHook;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.event.QubesEvent;
import io.bulkhead.core.domains.event.QubesEventListener;
import io.bulkhead.core.policy.PolicyService;
import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.QrexecService;

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
    private final BundleContext context;
    private final AdminQrexecBridge bridge;
    private ServiceRegistration<Dom0RpcHandler> bridgeRegistration;

    @Activate
    public AdminApiComponent(@Reference DomainsService domains, @Reference PolicyService policy, AdminConfig config, BundleContext context) {
        this.context = context;
        this.dispatcher = new AdminDispatcher(domains, policy, () -> hooks, name -> Optional.ofNullable(contributed.get(name)));
        this.bridge = new AdminQrexecBridge(dispatcher, new EventStreamer(events, dispatcher),
                new VolumeImportStream(dispatcher, domains, dataDir(context)));
        Path socket = config.socket_path().isBlank() ? dataDir(context).resolve("run").resolve("qubesd.sock") : Path.of(config.socket_path());
        try {
            this.server = new AdminSocketServer(socket, dispatcher, events, new CommandStream(() -> Optional.ofNullable(qrexec)),
                    config.max_connections());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the Admin API on " + socket + ": " + e.getMessage(), e);
        }
        publishBridge();
    }

    /**
     * Offers every method as a dom0 qrexec service, so qubes reach the Admin API through policy.
     * Registered by hand because the set of names follows the contributed methods.
     */
    private synchronized void publishBridge() {
        Set<String> names = new TreeSet<>(contributed.keySet());
        dispatcher.builtinMethodNames().forEach(names::add);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Dom0RpcHandler.SERVICE_PROPERTY, names.toArray(new String[0]));
        if (bridgeRegistration != null) {
            bridgeRegistration.unregister();
        }
        bridgeRegistration = context.registerService(Dom0RpcHandler.class, bridge, properties);
    }

    private static Path dataDir(BundleContext context) {
        String configured = context.getProperty("bulkhead.data.dir");
        return configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".bulkhead") : Path.of(configured);
    }

    @Deactivate
    synchronized void deactivate() throws IOException {
        if (bridgeRegistration != null) {
            bridgeRegistration.unregister();
            bridgeRegistration = null;
        }
        server.close();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile QrexecService qrexec;

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
            republishIfActive();
        }
    }

    void removeMethod(AdminMethod method, Map<String, Object> properties) {
        if (contributed.values().remove(method)) {
            republishIfActive();
        }
    }

    /** Bind methods also run before the constructor finished; the constructor publishes then. */
    private synchronized void republishIfActive() {
        if (bridgeRegistration != null) {
            publishBridge();
        }
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
