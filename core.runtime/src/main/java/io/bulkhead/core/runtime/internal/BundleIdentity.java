package io.bulkhead.core.runtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * Symbolic name and version read from a bundle's manifest, to check a file before it is deployed.
 *
 * @param symbolicName Bundle-SymbolicName without directives
 * @param version      Bundle-Version (0.0.0 when absent)
 */
record BundleIdentity(String symbolicName, Version version) {

    @Override
    public String toString() {
        return symbolicName + " " + version;
    }

    static BundleIdentity read(Path jar) {
        try (InputStream in = Files.newInputStream(jar)) {
            return read(in, jar.getFileName().toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(jar.getFileName() + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when the stream is not a jar with an OSGi manifest */
    static BundleIdentity read(InputStream jarContent, String what) {
        Manifest manifest;
        try {
            manifest = new JarInputStream(jarContent).getManifest();
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not a readable jar: " + e.getMessage(), e);
        }
        if (manifest == null) {
            throw new IllegalArgumentException(what + " has no META-INF/MANIFEST.MF: not an OSGi bundle");
        }
        Attributes main = manifest.getMainAttributes();
        String bsn = main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsn == null || bsn.isBlank()) {
            throw new IllegalArgumentException(what + " has no Bundle-SymbolicName header: not an OSGi bundle");
        }
        int directives = bsn.indexOf(';');
        String name = (directives >= 0 ? bsn.substring(0, directives) : bsn).trim();
        try {
            String version = main.getValue(Constants.BUNDLE_VERSION);
            return new BundleIdentity(name, version == null ? Version.emptyVersion : Version.parseVersion(version.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " has an invalid Bundle-Version: " + e.getMessage(), e);
        }
    }
}
