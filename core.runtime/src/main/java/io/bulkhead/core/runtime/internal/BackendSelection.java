package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.HypervisorStatus;
import io.bulkhead.core.domains.QubesException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Switches the hypervisor backend now (through the model, which refuses while qubes run unless
 * forced) and records the choice in the model's {@code .cfg} in the deploy directory, so it also
 * holds after a restart. FileInstall then feeds the same value back through ConfigAdmin, where
 * it is a no-op.
 */
@Component(service = BackendSelection.class, configurationPid = RuntimeConfig.PID)
public final class BackendSelection {

    /** The configuration PID of core.domains (its metatype attribute {@code hypervisor}). */
    static final String DOMAINS_PID = "io.bulkhead.core.domains";
    static final String KEY = "hypervisor";

    private final DomainsService domains;
    private final DeployDirectory deployDir;

    @Activate
    public BackendSelection(@Reference DomainsService domains, BundleContext context, RuntimeConfig config) {
        this.domains = domains;
        this.deployDir = DeployDirectory.of(config, context);
    }

    public String status() {
        HypervisorStatus s = domains.hypervisorStatus();
        return "selected: " + s.selected() + (s.available() ? " (available)" : " (not registered: install its bundle)") + "\n"
                + "registered: " + (s.registered().isEmpty() ? "none" : String.join(", ", s.registered())) + "\n";
    }

    public String select(String id, boolean force) {
        String previous = domains.hypervisorStatus().selected();
        domains.selectHypervisor(id, force);
        Path cfg = deployDir.path().resolve(DOMAINS_PID + ".cfg");
        try {
            persist(cfg, id);
        } catch (IOException e) {
            throw new QubesException("Switched the hypervisor backend to '" + id + "' but could not record it in " + cfg + " ("
                    + e.getMessage() + "): dom0 will use '" + previous + "' again after a restart");
        }
        return (previous.equals(id) ? "hypervisor backend stays '" + id + "'" : "hypervisor backend switched from '" + previous
                + "' to '" + id + "'") + " (recorded in " + cfg + ")\n" + status();
    }

    /** Rewrites the {@code hypervisor} line, keeping every other line of the file. */
    private void persist(Path cfg, String id) throws IOException {
        List<String> lines = Files.exists(cfg) ? new ArrayList<>(Files.readAllLines(cfg, StandardCharsets.UTF_8)) : new ArrayList<>();
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (isKeyLine(lines.get(i))) {
                lines.set(i, KEY + "=" + id);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add(KEY + "=" + id);
        }
        byte[] content = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        Path staged = deployDir.stage(cfg.getFileName().toString(), new ByteArrayInputStream(content));
        deployDir.publish(staged, cfg.getFileName().toString());
    }

    private static boolean isKeyLine(String line) {
        String t = line.stripLeading();
        if (!t.startsWith(KEY)) {
            return false;
        }
        String rest = t.substring(KEY.length()).stripLeading();
        return rest.startsWith("=") || rest.startsWith(":");
    }
}
