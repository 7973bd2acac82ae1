package io.bulkhead.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ops4j.pax.exam.Option;

/** The Pax Exam provisioning shared by every IT: the dom0 runtime services plus our core bundles. */
final class Dom0Runtime {
    /** Core bundles every test expects, by file name in target/bundles (artifactId). */
    static final String[] CORE_BUNDLES = {"core.policy", "core.domains", "core.admin", "core.qrexec"};

    private Dom0Runtime() {
    }

    static Option core(Path dataDir) {
        return composite(
                junitBundles(),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                systemProperty("bulkhead.data.dir").value(dataDir.toString()),
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-annotations").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-core").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-databind").versionAsInProject(),
                mavenBundle("org.codehaus.woodstox", "stax2-api").versionAsInProject(),
                mavenBundle("com.fasterxml.woodstox", "woodstox-core").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.dataformat", "jackson-dataformat-xml").versionAsInProject(),
                composite(coreBundleOptions()));
    }

    /**
     * Runtime management on top of {@link #core}: core.runtime, FileInstall watching
     * {@code <data>/hot-deploy} (as dom0 does), and the local-process backend for qubes that start
     * in milliseconds (the agent jar from the build).
     */
    static Option extensible(Path dataDir) {
        return composite(
                core(dataDir),
                systemProperty("felix.fileinstall.dir").value(dataDir.resolve("hot-deploy").toString()),
                systemProperty("felix.fileinstall.poll").value("200"),
                systemProperty("felix.fileinstall.noInitialDelay").value("true"),
                systemProperty("felix.fileinstall.enableConfigSave").value("false"), // as dom0.bndrun
                systemProperty("bulkhead.agent.jar").value(System.getProperty("bulkhead.agent.jar")),
                mavenBundle("org.apache.felix", "org.apache.felix.fileinstall").versionAsInProject(),
                bundle(bundleUrl("core.runtime")),
                bundle(bundleUrl("hal.local")));
    }

    static String bundleUrl(String artifactId) {
        File file = new File(System.getProperty("bundles.dir"), artifactId + ".jar");
        return file.toURI().toString();
    }

    static Path freshDataDir() {
        try {
            // QEMU runs as an unprivileged user when the tests run as root: it must reach the run directories
            return Files.createTempDirectory("bulkhead-itest-",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create a data directory for the test framework", e);
        }
    }

    private static Option[] coreBundleOptions() {
        Option[] options = new Option[CORE_BUNDLES.length];
        for (int i = 0; i < CORE_BUNDLES.length; i++) {
            options[i] = bundle(bundleUrl(CORE_BUNDLES[i]));
        }
        return options;
    }
}
