package io.bulkhead.core.runtime.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Installs feature packages ({@code .bfp}) dropped into the deploy directory, as Karaf's deployer
 * does for its archives: FileInstall calls this installer for the files it cannot handle itself.
 * Installing is idempotent (dom0 starts with a clean framework cache and FileInstall installs
 * every deployed file again); bundles that cannot start yet are retried whenever another bundle
 * is installed or resolved, so a package whose dependency arrives later still comes up.
 */
@Component(service = ArtifactInstaller.class)
public final class FeaturePackageInstaller implements ArtifactInstaller {

    /** Property marking configurations created from a feature package: the package file name. */
    static final String FEATURE_MARKER = "bulkhead.feature";

    private static final System.Logger LOG = System.getLogger("io.bulkhead.core.runtime");

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final Set<Bundle> waitingToStart = ConcurrentHashMap.newKeySet();
    private final ExecutorService retries = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bulkhead-feature-retry");
        t.setDaemon(true);
        return t;
    });
    private final BundleListener retryOnChange = event -> {
        int type = event.getType();
        if (!waitingToStart.isEmpty() && (type == BundleEvent.INSTALLED || type == BundleEvent.RESOLVED || type == BundleEvent.STARTED)
                && !waitingToStart.contains(event.getBundle())) {
            retries.execute(this::retryWaiting);
        }
    };

    @Activate
    public FeaturePackageInstaller(BundleContext context, @Reference ConfigurationAdmin configAdmin) {
        this.context = context;
        this.configAdmin = configAdmin;
        context.addBundleListener(retryOnChange);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(retryOnChange);
        retries.shutdownNow();
    }

    @Override
    public boolean canHandle(File artifact) {
        return DeployDirectory.ArtifactKind.of(artifact.getName()) == DeployDirectory.ArtifactKind.FEATURE_PACKAGE;
    }

    @Override
    public void install(File artifact) throws Exception {
        deploy(artifact.toPath());
    }

    @Override
    public void update(File artifact) throws Exception {
        deploy(artifact.toPath());
    }

    @Override
    public void uninstall(File artifact) throws Exception {
        Path file = artifact.toPath();
        // configurations first: whoever waits for the bundles to disappear then sees them gone too
        deleteConfigurations(file.getFileName().toString(), Set.of());
        List<Bundle> bundles = DeployLocations.bundlesOf(context, file);
        for (Bundle b : bundles) {
            waitingToStart.remove(b);
            uninstallQuietly(b);
        }
        refresh();
        LOG.log(System.Logger.Level.INFO, "feature package " + file.getFileName() + " removed (" + bundles.size() + " bundles)");
    }

    private synchronized void deploy(Path file) throws Exception {
        FeaturePackage feature;
        try {
            feature = FeaturePackage.read(file);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "feature package not installed: " + e.getMessage());
            throw e;
        }
        String prefix = DeployLocations.featurePrefix(file);
        Map<String, Bundle> previous = new HashMap<>();
        for (Bundle b : DeployLocations.bundlesOf(context, file)) {
            previous.put(b.getLocation(), b);
        }
        List<Bundle> bundles = new ArrayList<>();
        boolean needsRefresh = false;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (FeaturePackage.BundleEntry entry : feature.bundles()) {
                String location = prefix + entry.entry();
                Bundle existing = previous.remove(location);
                try (InputStream in = zip.getInputStream(zip.getEntry(entry.entry()))) {
                    if (existing == null) {
                        bundles.add(context.installBundle(location, in));
                    } else {
                        existing.update(in);
                        bundles.add(existing);
                        needsRefresh = true;
                    }
                }
            }
        }
        for (Bundle gone : previous.values()) {
            uninstallQuietly(gone);
            needsRefresh = true;
        }
        applyConfigurations(file.getFileName().toString(), feature);
        if (needsRefresh) {
            refresh();
        }
        List<String> problems = new ArrayList<>();
        for (Bundle b : bundles) {
            String problem = tryStart(b);
            if (problem != null) {
                problems.add(problem);
            }
        }
        LOG.log(problems.isEmpty() ? System.Logger.Level.INFO : System.Logger.Level.ERROR, "feature package " + file.getFileName()
                + " (" + feature.name() + " " + feature.version() + "): " + bundles.size() + " bundles installed"
                + (problems.isEmpty() ? "" : "; not started yet: " + String.join("; ", problems)));
    }

    /** @return null when started, else why not (kept for a retry) */
    private String tryStart(Bundle b) {
        if (b.getHeaders().get(org.osgi.framework.Constants.FRAGMENT_HOST) != null) {
            return null;
        }
        try {
            b.start();
            waitingToStart.remove(b);
            return null;
        } catch (BundleException | IllegalStateException e) {
            if (b.getState() != Bundle.UNINSTALLED) {
                waitingToStart.add(b);
            }
            return b.getSymbolicName() + ": " + e.getMessage();
        }
    }

    private void retryWaiting() {
        for (Bundle b : List.copyOf(waitingToStart)) {
            if (b.getState() == Bundle.UNINSTALLED) {
                waitingToStart.remove(b);
            } else if (tryStart(b) == null) {
                LOG.log(System.Logger.Level.INFO, "bundle " + b.getSymbolicName() + " of a feature package started after a dependency arrived");
            }
        }
    }

    private void applyConfigurations(String featureFile, FeaturePackage feature) throws IOException, InvalidSyntaxException {
        Set<String> kept = new java.util.HashSet<>();
        for (FeaturePackage.ConfigEntry c : feature.configs()) {
            Configuration config = c.factoryPid() == null
                    ? configAdmin.getConfiguration(c.pid(), "?")
                    : configAdmin.getFactoryConfiguration(c.factoryPid(), c.factoryName(), "?");
            Dictionary<String, Object> props = new Hashtable<>(c.properties());
            props.put(FEATURE_MARKER, featureFile);
            config.updateIfDifferent(props);
            kept.add(config.getPid());
        }
        deleteConfigurations(featureFile, kept);
    }

    private void deleteConfigurations(String featureFile, Set<String> keep) throws IOException, InvalidSyntaxException {
        Configuration[] configs = configAdmin.listConfigurations("(" + FEATURE_MARKER + "=" + escape(featureFile) + ")");
        if (configs != null) {
            for (Configuration c : configs) {
                if (!keep.contains(c.getPid())) {
                    c.delete();
                }
            }
        }
    }

    private static String escape(String filterValue) {
        return filterValue.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }

    private void uninstallQuietly(Bundle b) {
        try {
            b.uninstall();
        } catch (BundleException | IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "could not uninstall " + b.getSymbolicName() + ": " + e.getMessage());
        }
    }

    /** Drops wirings to removed or updated bundles; waits so the next step sees a settled framework. */
    private void refresh() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        if (!done.await(30, TimeUnit.SECONDS)) {
            LOG.log(System.Logger.Level.WARNING, "package refresh did not finish within 30 s");
        }
    }
}
