package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@link PolicyService}: loads the configured policy directories at activation, reloads
 * them when they change, and serves the administration API on the admin directory.
 */
@Component(service = PolicyService.class, configurationPid = PolicyConfig.PID, immediate = true)
@Designate(ocd = PolicyConfig.class)
public final class PolicyComponent implements PolicyService {
    /** Framework (or system) property naming Bulkhead's data directory. */
    public static final String DATA_DIR_PROPERTY = "bulkhead.data.dir";

    private static final System.Logger LOG = System.getLogger(PolicyComponent.class.getName());

    private final List<Path> directories;
    private final Path legacyDir;
    private final PolicyAdmin admin;
    private final DirectoryWatcher watcher;
    private volatile Policy current;

    @Activate
    public PolicyComponent(PolicyConfig config, BundleContext context) {
        this(config, dataDirectory(context.getProperty(DATA_DIR_PROPERTY)));
    }

    PolicyComponent(PolicyConfig config, Path dataDir) {
        List<Path> dirs = new ArrayList<>();
        for (String dir : config.policy_dirs()) {
            if (!dir.isBlank()) {
                dirs.add(Path.of(dir.trim()).toAbsolutePath().normalize());
            }
        }
        if (dirs.isEmpty()) {
            dirs.add(dataDir.resolve("run").resolve("policy.d"));
            dirs.add(dataDir.resolve("policy.d"));
        }
        this.directories = List.copyOf(dirs);
        this.legacyDir = config.legacy_dir().isBlank() ? null : Path.of(config.legacy_dir().trim()).toAbsolutePath();
        Path adminDir = config.admin_dir().isBlank() ? directories.get(directories.size() - 1)
                : Path.of(config.admin_dir().trim()).toAbsolutePath().normalize();
        try {
            for (Path dir : directories) {
                Files.createDirectories(dir); // so that they can be watched from the start
            }
            Files.createDirectories(adminDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the policy directories", e);
        }
        this.admin = new DirectoryPolicyAdmin(adminDir, legacyDir, this::reload);
        reload();
        List<Path> watched = new ArrayList<>(directories);
        if (legacyDir != null) {
            watched.add(legacyDir);
        }
        try {
            this.watcher = new DirectoryWatcher(watched, config.reload_delay_ms(), this::reload);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch the policy directories", e);
        }
    }

    static Path dataDirectory(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim()).toAbsolutePath().normalize();
        }
        return Path.of(System.getProperty("user.home"), ".bulkhead");
    }

    @Deactivate
    void deactivate() {
        watcher.close();
    }

    @Override
    public Policy policy() {
        return current;
    }

    @Override
    public PolicyAdmin admin() {
        return admin;
    }

    @Override
    public synchronized Policy reload() {
        Policy policy = PolicyLoader.load(directories, legacyDir);
        current = policy;
        if (policy.isValid()) {
            LOG.log(System.Logger.Level.INFO, "qrexec policy loaded: " + policy.ruleCount() + " rules from "
                    + directories);
        } else {
            List<PolicyError> errors = policy.errors();
            LOG.log(System.Logger.Level.ERROR, "qrexec policy is INVALID, every call is denied: " + errors.get(0)
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        }
        return policy;
    }

    @Override
    public List<Path> policyDirectories() {
        return directories;
    }
}
