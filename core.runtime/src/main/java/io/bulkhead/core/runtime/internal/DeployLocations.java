package io.bulkhead.core.runtime.internal;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Which installed bundles came from which deployed file, by bundle location: FileInstall installs a
 * dropped jar at the file's URI; bundles of a feature package get {@code bulkhead-feature:URI!/entry}.
 */
final class DeployLocations {

    static final String FEATURE_SCHEME = "bulkhead-feature:";

    private DeployLocations() {
    }

    static String bundleFile(Path file) {
        return file.toAbsolutePath().normalize().toUri().normalize().toString();
    }

    static String featurePrefix(Path file) {
        return FEATURE_SCHEME + bundleFile(file) + "!/";
    }

    /** @return bundles installed from {@code file}: the jar itself, or every bundle of the feature package */
    static List<Bundle> bundlesOf(BundleContext context, Path file) {
        String jar = bundleFile(file);
        String prefix = featurePrefix(file);
        List<Bundle> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String location = b.getLocation();
            if (location.startsWith(prefix) || sameFile(location, jar)) {
                out.add(b);
            }
        }
        return out;
    }

    /** FileInstall may spell the file URI slightly differently (file:/ vs file:///); compare as paths. */
    private static boolean sameFile(String location, String fileUri) {
        if (location.equals(fileUri)) {
            return true;
        }
        if (!location.startsWith("file:")) {
            return false;
        }
        try {
            return Path.of(URI.create(location)).normalize().equals(Path.of(URI.create(fileUri)).normalize());
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return false;
        }
    }
}
