package io.bulkhead.core.qrexec.internal.vchan;

import io.bulkhead.core.qrexec.transport.VchanSocketEndpoint;
import io.bulkhead.core.qrexec.transport.VchanSocketProvider;
import java.nio.file.Path;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Marks one qube as running an unmodified Qubes agent over libvchan-socket, from configuration
 * (for setups where nothing else knows: an admin starts the agent with {@code VCHAN_DOMAIN} and
 * {@code VCHAN_SOCKET_DIR}). Backends that start such qubes register their own
 * {@link VchanSocketProvider} instead.
 */
@Component(service = VchanSocketProvider.class, configurationPid = VchanSocketQubeConfig.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = VchanSocketQubeConfig.class, factory = true)
public final class ConfiguredVchanSocketQube implements VchanSocketProvider {
    private final String qube;
    private final VchanSocketEndpoint endpoint;

    /** @throws IllegalArgumentException naming the bad setting (the component does not activate) */
    @Activate
    public ConfiguredVchanSocketQube(VchanSocketQubeConfig config) {
        String name = config.qube();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(VchanSocketQubeConfig.FACTORY_PID + ": 'qube' is missing");
        }
        String dir = config.directory();
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException(VchanSocketQubeConfig.FACTORY_PID + " for " + name + ": 'directory' is empty");
        }
        this.qube = name;
        this.endpoint = new VchanSocketEndpoint(Path.of(dir), config.domainId());
    }

    @Override
    public Optional<VchanSocketEndpoint> vchanSocket(String name) {
        return qube.equals(name) ? Optional.of(endpoint) : Optional.empty();
    }

    @Override
    public String toString() {
        return "vchan-socket qube " + qube + " (" + endpoint + ")";
    }
}
