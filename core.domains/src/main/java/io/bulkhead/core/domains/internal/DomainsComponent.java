package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.AgentReadiness;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.device.DeviceClass;
import io.bulkhead.core.domains.event.QubesEventListener;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.domains.storage.PoolDriver;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS component registering the model as {@link DomainsService}. Hypervisor backends, event
 * listeners, pool drivers and the agent-readiness service are dynamic references: they may come
 * and go while the model runs. A configuration change switches the backend in place (see
 * {@link #modified}).
 */
@Component(service = DomainsService.class, configurationPid = DomainsConfig.PID, immediate = true)
@Designate(ocd = DomainsConfig.class)
public final class DomainsComponent extends DomainsServiceImpl {

    private static final System.Logger LOG = System.getLogger("io.bulkhead.core.domains");

    /** Framework property overriding the default data directory. */
    public static final String DATA_DIR_PROPERTY = "bulkhead.data.dir";

    /** Settings that only take effect at activation (the store is open, pools use qemu-img). */
    private final String activationSettings;

    @Activate
    public DomainsComponent(DomainsConfig config, BundleContext context) {
        super(dataDir(config, context.getProperty(DATA_DIR_PROPERTY)), config.storeFile(), config.hypervisor(),
                config.qemuImg(), DomainsComponent::log);
        this.activationSettings = restartSettings(config);
    }

    /**
     * A configuration change does not restart the model: the backend selection is applied in
     * place (refused, with an error in the log naming the running qubes, while any qube runs);
     * data directory, store name and qemu-img apply at the next dom0 start.
     */
    @Modified
    void modified(DomainsConfig config) {
        String wanted = config.hypervisor();
        if (!wanted.equals(hypervisorStatus().selected())) {
            try {
                selectHypervisor(wanted, false);
            } catch (QubesException e) {
                LOG.log(System.Logger.Level.ERROR, "Configuration " + DomainsConfig.PID + " selects hypervisor '" + wanted
                        + "', not applied: " + e.getMessage());
            }
        }
        if (!restartSettings(config).equals(activationSettings)) {
            LOG.log(System.Logger.Level.WARNING, "Configuration " + DomainsConfig.PID
                    + ": dataDir, storeFile and qemuImg changes take effect when dom0 restarts");
        }
    }

    private static String restartSettings(DomainsConfig config) {
        return config.dataDir() + "\0" + config.storeFile() + "\0" + config.qemuImg();
    }

    static Path dataDir(DomainsConfig config, String frameworkProperty) {
        if (config.dataDir() != null && !config.dataDir().isBlank()) {
            return Path.of(config.dataDir().replace("${user.home}", System.getProperty("user.home")));
        }
        if (frameworkProperty != null && !frameworkProperty.isBlank()) {
            return Path.of(frameworkProperty);
        }
        return Path.of(System.getProperty("user.home"), ".bulkhead");
    }

    private static void log(String message, Throwable cause) {
        if (cause == null) {
            LOG.log(System.Logger.Level.INFO, message);
        } else {
            LOG.log(System.Logger.Level.WARNING, message, cause);
        }
    }

    @Deactivate
    void deactivate() {
        close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeHypervisor")
    void addHypervisor(Hypervisor hypervisor, Map<String, Object> props) {
        Object id = props.get(Hypervisor.SERVICE_PROPERTY);
        bindHypervisor(hypervisor, id == null ? hypervisor.id() : String.valueOf(id));
    }

    void removeHypervisor(Hypervisor hypervisor) {
        unbindHypervisor(hypervisor);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeEventListener")
    void addEventListener(QubesEventListener listener, Map<String, Object> props) {
        Object ranking = props.get(Constants.SERVICE_RANKING);
        Object id = props.get(Constants.SERVICE_ID);
        addListener(listener, ranking instanceof Integer ? (Integer) ranking : 0,
                id instanceof Long ? (Long) id : Long.MAX_VALUE, patterns(props.get(QubesEventListener.EVENT_PATTERNS)));
    }

    void removeEventListener(QubesEventListener listener) {
        removeListener(listener);
    }

    static List<String> patterns(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String[]) {
            return List.of((String[]) value);
        }
        if (value instanceof Collection<?>) {
            return ((Collection<?>) value).stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeDriver")
    void addDriver(PoolDriver driver) {
        addPoolDriver(driver);
    }

    void removeDriver(PoolDriver driver) {
        removePoolDriver(driver);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeDevices")
    void addDevices(DeviceClass deviceClass) {
        addDeviceClass(deviceClass);
    }

    void removeDevices(DeviceClass deviceClass) {
        removeDeviceClass(deviceClass);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAgentReadiness")
    void addAgentReadiness(AgentReadiness readiness) {
        setAgentReadiness(readiness);
    }

    void removeAgentReadiness(AgentReadiness readiness) {
        if (agentReadiness() == readiness) {
            setAgentReadiness(null);
        }
    }
}
