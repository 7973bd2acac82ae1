package io.bulkhead.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.inject.Inject;

import io.bulkhead.itest.fixture.GreetingComponent;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.util.tracker.ServiceTracker;

/** A bundle installed into the running framework contributes a DS service; uninstalling it withdraws it. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class RuntimeInstallIT {
    private static final String MARKER = "bulkhead.itest";

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        Path fixture = buildFixtureBundle();
        return new Option[] {
            Dom0Runtime.core(Dom0Runtime.freshDataDir()),
            systemProperty("io.bulkhead.itest.fixture").value(fixture.toUri().toString())
        };
    }

    @Test
    public void installedBundleContributesItsServiceAndUninstallWithdrawsIt() throws Exception {
        Filter filter = context.createFilter("(&(objectClass=" + Supplier.class.getName() + ")(" + MARKER + "=greeting))");
        ServiceTracker<Supplier<String>, Supplier<String>> tracker = new ServiceTracker<>(context, filter, null);
        tracker.open();
        try {
            assertNull("the service must not exist before the bundle is installed", tracker.getServiceReference());

            Bundle bundle = context.installBundle(context.getProperty("io.bulkhead.itest.fixture"));
            bundle.start();
            Supplier<String> greeting = tracker.waitForService(10_000);
            assertNotNull("the installed bundle's DS component did not register its service", greeting);
            assertEquals("hello from a bundle installed at runtime", greeting.get());
            assertEquals(bundle, tracker.getServiceReference().getBundle());

            bundle.uninstall();
            assertNull("the service must be withdrawn when its bundle is uninstalled", tracker.getServiceReference());
            assertEquals(Bundle.UNINSTALLED, bundle.getState());
        } finally {
            tracker.close();
        }
    }

    /** Writes a minimal DS bundle: the fixture class, a hand-written component descriptor, a manifest. */
    private static Path buildFixtureBundle() throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "io.bulkhead.itest.fixture.greeting");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Service-Component", "OSGI-INF/greeting.xml");
        main.putValue("Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.3.0)(!(version>=2.0.0)))\"");

        String className = GreetingComponent.class.getName();
        String descriptor = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"greeting\" immediate=\"true\">\n"
                + "  <implementation class=\"" + className + "\"/>\n"
                + "  <property name=\"" + MARKER + "\" value=\"greeting\"/>\n"
                + "  <service><provide interface=\"" + Supplier.class.getName() + "\"/></service>\n"
                + "</scr:component>\n";

        Path jar = Files.createTempFile("greeting-", ".jar");
        String classEntry = className.replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream classBytes = GreetingComponent.class.getClassLoader().getResourceAsStream(classEntry)) {
            out.putNextEntry(new JarEntry("OSGI-INF/greeting.xml"));
            out.write(descriptor.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new JarEntry(classEntry));
            classBytes.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
