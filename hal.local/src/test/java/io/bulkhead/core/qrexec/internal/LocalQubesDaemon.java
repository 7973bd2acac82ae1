package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyService;
import io.bulkhead.core.qrexec.QrexecService;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * core.qrexec's real daemon outside OSGi, wired the way DS wires it to a hypervisor backend (for
 * hal.local's tests): it opens qubes' channels through {@link Hypervisor#openQrexecChannel} and
 * routes calls under a fixed policy. Lives in the daemon's package for its bind methods.
 */
public final class LocalQubesDaemon implements AutoCloseable {

    private final QrexecDaemon daemon;

    /**
     * @param hypervisor the backend whose qubes the daemon reaches
     * @param policyText core.policy rules for qube-to-qube calls
     */
    public LocalQubesDaemon(Hypervisor hypervisor, String policyText) {
        daemon = new QrexecDaemon(config(Map.of("defaultUser", System.getProperty("user.name"),
                "agentTimeoutSeconds", 20)));
        Policy policy = PolicyLoader.fromStrings("test.policy", Map.of("test.policy", policyText));
        if (!policy.isValid()) {
            throw new IllegalArgumentException("invalid test policy: " + policy.errors());
        }
        daemon.setPolicyService(new FixedPolicy(policy));
        daemon.bindHypervisor(hypervisor);
    }

    public QrexecService service() {
        return daemon;
    }

    @Override
    public void close() {
        daemon.deactivate();
    }

    /** The daemon's configuration: its defaults, except {@code values}. */
    private static QrexecConfig config(Map<String, Object> values) {
        return (QrexecConfig) Proxy.newProxyInstance(QrexecConfig.class.getClassLoader(),
                new Class<?>[] {QrexecConfig.class}, (self, method, args) -> switch (method.getName()) {
                    case "annotationType" -> QrexecConfig.class;
                    case "toString" -> "QrexecConfig" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> self == args[0];
                    default -> values.getOrDefault(method.getName(), method.getDefaultValue());
                });
    }

    private record FixedPolicy(Policy policy) implements PolicyService {
        @Override
        public PolicyAdmin admin() {
            throw new UnsupportedOperationException("no policy administration in tests");
        }

        @Override
        public Policy reload() {
            return policy;
        }

        @Override
        public List<Path> policyDirectories() {
            return List.of();
        }
    }
}
