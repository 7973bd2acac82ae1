package io.bulkhead.core.runtime.internal;

import io.bulkhead.core.domains.QubesException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Installs, removes and lists extensions. Everything goes through the deploy directory so that
 * what dom0 runs after a restart is what it ran before: install checks the file, publishes it
 * there atomically and waits until FileInstall (or the feature package installer) has installed
 * and started its bundles, then reports their state, any missing requirement, and what they
 * contribute; uninstall deletes the file and waits until the bundles are gone.
 */
@Component(service = ExtensionManager.class, configurationPid = RuntimeConfig.PID)
@Designate(ocd = RuntimeConfig.class)
public final class ExtensionManager {

    /** How long a bundle may stay not-active before we ask the framework why. */
    private static final long SETTLE_MS = 1_500;
    private static final long POLL_MS = 100;

    private final BundleContext context;
    private final DeployDirectory deployDir;
    private final Duration timeout;

    @Activate
    public ExtensionManager(BundleContext context, RuntimeConfig config) {
        this.context = context;
        this.deployDir = DeployDirectory.of(config, context);
        this.timeout = Duration.ofSeconds(Math.max(1, config.installTimeoutSeconds()));
    }

    Path deployDirectory() {
        return deployDir.path();
    }

    /**
     * @param source absolute path or URL
     * @return the report of a successful install
     * @throws QubesException when the file is unusable, conflicts, or its bundles do not start
     */
    public synchronized String install(String source) {
        InstallSource from;
        try {
            from = InstallSource.parse(source);
        } catch (IllegalArgumentException e) {
            throw new QubesException("Cannot install: " + e.getMessage());
        }
        DeployDirectory.ArtifactKind kind = DeployDirectory.checkName(from.name());
        Path staged;
        try (InputStream in = from.open()) {
            staged = deployDir.stage(from.name(), in);
        } catch (IOException e) {
            throw new QubesException("Cannot install " + from.uri() + ": " + e.getMessage());
        }
        int expected;
        try {
            expected = checkArtifact(staged, kind, from.name());
        } catch (RuntimeException e) {
            deleteQuietly(staged);
            throw e instanceof QubesException ? e : new QubesException("Cannot install " + from.name() + ": " + e.getMessage());
        }
        long published = System.currentTimeMillis() - 1;
        Path target;
        try {
            target = deployDir.publish(staged, from.name());
        } catch (IOException e) {
            deleteQuietly(staged);
            throw new QubesException("Cannot write " + from.name() + " into " + deployDir.path() + ": " + e.getMessage());
        }
        List<BundleReport> reports = awaitInstalled(target, expected, published);
        StringBuilder out = new StringBuilder("Installed ").append(from.name()).append(" into ").append(deployDir.path()).append('\n');
        reports.forEach(r -> r.appendTo(out));
        if (reports.stream().anyMatch(r -> r.problem() != null)) {
            out.append("The file stays deployed: its bundles start once what they need is installed. Remove it with: "
                    + "bulkhead uninstall ").append(from.name()).append('\n');
            throw new QubesException(out.toString().strip());
        }
        return out.toString();
    }

    /** @return number of bundles the artifact brings; throws on a bad file or a conflict */
    private int checkArtifact(Path staged, DeployDirectory.ArtifactKind kind, String name) {
        List<BundleIdentity> ids = new ArrayList<>();
        if (kind == DeployDirectory.ArtifactKind.BUNDLE) {
            ids.add(BundleIdentity.read(staged));
        } else {
            FeaturePackage.read(staged).bundles().forEach(b -> ids.add(b.identity()));
        }
        Path target = deployDir.path().resolve(name);
        List<Bundle> own = DeployLocations.bundlesOf(context, target);
        for (BundleIdentity id : ids) {
            for (Bundle b : context.getBundles()) {
                if (id.symbolicName().equals(b.getSymbolicName()) && !own.contains(b)) {
                    throw new QubesException("Cannot install " + name + ": bundle " + id.symbolicName() + " is already installed "
                            + origin(b) + "; uninstall that first, or deploy the new version under the same file name to update it");
                }
            }
        }
        return ids.size();
    }

    private String origin(Bundle b) {
        Optional<Path> file = deployedFileOf(b);
        return file.map(f -> "from " + f.getFileName()).orElse("as part of dom0 (" + b.getLocation() + ")");
    }

    private Optional<Path> deployedFileOf(Bundle b) {
        try {
            for (Path f : deployDir.extensions()) {
                if (DeployLocations.bundlesOf(context, f).contains(b)) {
                    return Optional.of(f);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private List<BundleReport> awaitInstalled(Path file, int expected, long notBefore) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Bundle, Long> inactiveSince = new HashMap<>();
        List<String> lastContributions = null;
        while (true) {
            long now = System.currentTimeMillis();
            List<Bundle> bundles = DeployLocations.bundlesOf(context, file).stream()
                    .filter(b -> b.getLastModified() >= notBefore).toList();
            if (bundles.size() >= expected) {
                List<BundleReport> reports = new ArrayList<>();
                boolean settled = true;
                for (Bundle b : bundles) {
                    if (b.getState() == Bundle.ACTIVE || isFragment(b)) {
                        reports.add(BundleReport.of(b, null));
                        continue;
                    }
                    long since = inactiveSince.computeIfAbsent(b, k -> now);
                    if (now - since < SETTLE_MS) {
                        settled = false;
                        break;
                    }
                    reports.add(BundleReport.of(b, whyNotActive(b)));
                }
                if (settled) {
                    // DS registers services right after the bundle turns active: wait until they stop changing
                    List<String> contributions = reports.stream().flatMap(r -> r.contributes().stream()).toList();
                    if (contributions.equals(lastContributions)) {
                        return reports;
                    }
                    lastContributions = contributions;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new QubesException(file.getFileName() + " was deployed to " + deployDir.path() + " but its bundles were not "
                        + "installed within " + timeout.toSeconds() + " s (found " + bundles.size() + " of " + expected
                        + "); is org.apache.felix.fileinstall running and watching that directory?");
            }
            sleep();
        }
    }

    private static boolean isFragment(Bundle b) {
        return b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
    }

    /** Asks the framework to start the bundle once more, which names the missing requirement if it cannot resolve. */
    private static String whyNotActive(Bundle b) {
        try {
            b.start(Bundle.START_TRANSIENT);
            return b.getState() == Bundle.ACTIVE ? null : "not active (state " + BundleReport.stateName(b.getState()) + ")";
        } catch (BundleException | IllegalStateException e) {
            return e.getMessage();
        }
    }

    /**
     * @param name deployed file name, or the symbolic name of a bundle installed from one
     * @return the report of what was removed
     */
    public synchronized String uninstall(String name) {
        Path file = findDeployed(name);
        List<BundleReport> before = DeployLocations.bundlesOf(context, file).stream().map(b -> BundleReport.of(b, null)).toList();
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new QubesException("Cannot remove " + file + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!DeployLocations.bundlesOf(context, file).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new QubesException(file.getFileName() + " was removed from " + deployDir.path() + " but its bundles are still "
                        + "installed after " + timeout.toSeconds() + " s; is org.apache.felix.fileinstall running?");
            }
            sleep();
        }
        StringBuilder out = new StringBuilder("Removed ").append(file.getFileName()).append('\n');
        for (BundleReport r : before) {
            out.append("  ").append(r.symbolicName()).append(' ').append(r.version()).append(": uninstalled\n");
            r.contributes().forEach(c -> out.append("    withdrew ").append(c).append('\n'));
        }
        return out.toString();
    }

    private Path findDeployed(String name) {
        String wanted = name == null ? "" : name.strip();
        if (wanted.isEmpty()) {
            throw new QubesException("Cannot uninstall: no extension name given");
        }
        try {
            for (Path f : deployDir.extensions()) {
                if (f.getFileName().toString().equals(wanted)) {
                    return f;
                }
            }
            for (Path f : deployDir.extensions()) {
                for (Bundle b : DeployLocations.bundlesOf(context, f)) {
                    if (wanted.equals(b.getSymbolicName())) {
                        return f;
                    }
                }
            }
        } catch (IOException e) {
            throw new QubesException("Cannot read " + deployDir.path() + ": " + e.getMessage());
        }
        for (Bundle b : context.getBundles()) {
            if (wanted.equals(b.getSymbolicName())) {
                throw new QubesException("Bundle " + wanted + " is part of dom0, not an installed extension; it cannot be uninstalled");
            }
        }
        throw new QubesException("No extension named '" + wanted + "' is installed (see: bulkhead extensions)");
    }

    /** @return every deployed extension file with the state of its bundles */
    public String list() {
        StringBuilder out = new StringBuilder();
        try {
            for (Path f : deployDir.extensions()) {
                out.append(f.getFileName()).append('\n');
                List<Bundle> bundles = DeployLocations.bundlesOf(context, f);
                if (bundles.isEmpty()) {
                    out.append("  (not installed: see the dom0 log)\n");
                }
                for (Bundle b : bundles) {
                    BundleReport.of(b, b.getState() == Bundle.ACTIVE || isFragment(b) ? null : whyNotActive(b)).appendTo(out);
                }
            }
        } catch (IOException e) {
            throw new QubesException("Cannot read " + deployDir.path() + ": " + e.getMessage());
        }
        return out.toString();
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QubesException("interrupted while waiting for the framework");
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover in the staging directory is harmless
        }
    }
}
