package io.bulkhead.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyService;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.itest.QubeCommands.Result;

/**
 * The sample third-party bundle (examples/creation-date) installed into a running dom0 bundle set
 * through the Admin API, as {@code ./bulkhead install} does: its dom0 qrexec service answers a
 * call made inside a running qube and its event listener tags a new qube; after uninstall the
 * call is refused as not found and the listener no longer fires. A bundle that cannot resolve is
 * reported with the missing requirement while dom0 keeps working.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
// Pax Exam computes the configuration once per class: the methods share the data directory, so qube names differ
public class ExtensionLifecycleIT {
    private static final String EXAMPLE_FILE = "creation-date-1.0.0.jar";

    @Inject
    BundleContext context;

    @Inject
    DomainsService domains;

    @Inject
    AdminApi admin;

    @Inject
    QrexecService qrexec;

    @Inject
    PolicyService policy;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws Exception {
        Path data = Dom0Runtime.freshDataDir();
        // the backend choice arrives the way users make it: a .cfg in hot-deploy, applied by FileInstall
        Files.createDirectories(data.resolve("hot-deploy"));
        Files.writeString(data.resolve("hot-deploy/io.bulkhead.core.domains.cfg"), "hypervisor=local\n");
        return new Option[] {
            Dom0Runtime.extensible(data),
            systemProperty("bulkhead.example.bundle").value(System.getProperty("bulkhead.example.bundle")),
        };
    }

    @After
    public void haltEverything() {
        for (QubeInfo q : domains.list()) {
            if (q.klass() != QubeClass.ADMIN_VM && q.powerState() != PowerState.HALTED) {
                domains.kill(q.name());
            }
        }
    }

    private String call(String method, String argument, String payload) {
        return admin.call(new AdminRequest(method, argument, "dom0", "dom0", payload.getBytes(StandardCharsets.UTF_8)));
    }

    private void awaitLocalBackend() throws Exception {
        for (int i = 0; i < 100 && !(domains.hypervisorStatus().selected().equals("local") && domains.hypervisorStatus().available()); i++) {
            Thread.sleep(100);
        }
        org.osgi.service.cm.Configuration[] configs = configAdmin.listConfigurations("(service.pid=io.bulkhead.core.domains)");
        assertEquals("the hot-deploy .cfg selects the local backend; ConfigAdmin has "
                + (configs == null ? "no configuration" : configs[0].getProperties()) + "; hot-deploy holds "
                + java.util.Arrays.toString(new java.io.File(context.getProperty("felix.fileinstall.dir")).list()) + " with "
                + Files.readString(Path.of(context.getProperty("felix.fileinstall.dir"), "io.bulkhead.core.domains.cfg")),
                "local", domains.hypervisorStatus().selected());
        assertTrue(domains.hypervisorStatus().available());
    }

    @Test
    public void sampleBundleServesAQubeAndTagsNewQubesUntilUninstalled() throws Exception {
        awaitLocalBackend();
        String today = LocalDate.now().toString();
        long t0 = System.nanoTime();
        String report = call("bulkhead.extension.Install", "", System.getProperty("bulkhead.example.bundle"));
        long installMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(report, report.contains("org.example.bulkhead.creationdate 1.0.0: active"));
        assertTrue(report, report.contains("provides qrexec service example.CreationDate"));
        assertTrue(report, report.contains("provides event listener domain-add"));
        assertTrue("the file is deployed", Files.isRegularFile(Path.of(context.getProperty("felix.fileinstall.dir"), EXAMPLE_FILE)));

        domains.create(QubeClass.TEMPLATE_VM, "tpl", "black", Map.of());
        domains.setFeature("tpl", "qrexec", "1"); // its qubes run an agent: start waits for it
        domains.create(QubeClass.APP_VM, "work", "blue", Map.of("template", "tpl", "netvm", ""));
        assertTrue(domains.tags("work").toString(), domains.tags("work").contains("created-" + today));

        policy.admin().replace(PolicyAdmin.Scope.POLICY, "30-example", PolicyAdmin.NEW,
                "example.CreationDate * @anyvm @adminvm allow\n");
        domains.start("work");
        assertEquals(new Result(0, today + "\n", ""), QubeCommands.run(qrexec, "work", "qrexec-client-vm dom0 example.CreationDate"));

        t0 = System.nanoTime();
        String removed = call("bulkhead.extension.Remove", EXAMPLE_FILE, "");
        long uninstallMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(removed, removed.contains("withdrew qrexec service example.CreationDate"));
        for (Bundle b : context.getBundles()) {
            assertFalse("uninstalled", "org.example.bulkhead.creationdate".equals(b.getSymbolicName()));
        }
        Result refused = QubeCommands.run(qrexec, "work", "qrexec-client-vm dom0 example.CreationDate; echo status=$?");
        assertTrue(refused.toString(), refused.stdout().endsWith("status=127\n"));
        assertEquals("the qube kept running", PowerState.RUNNING, domains.powerState("work"));

        domains.create(QubeClass.APP_VM, "later", "green", Map.of("template", "tpl", "netvm", ""));
        assertTrue("the listener no longer fires: " + domains.tags("later"),
                domains.tags("later").stream().noneMatch(t -> t.startsWith("created-2")));
        assertTrue("the store kept the earlier tag", domains.tags("work").contains("created-" + today));
        System.out.println("[figures] hot install of the example bundle: " + installMs + " ms, uninstall: " + uninstallMs + " ms");
    }

    @Test
    public void unresolvableBundleIsReportedWithItsMissingRequirementAndDom0KeepsWorking() throws Exception {
        Path needy = Path.of(context.getProperty("bulkhead.data.dir"), "needy.jar");
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "org.example.needy");
        m.getMainAttributes().putValue("Import-Package", "org.example.absent;version=\"[1,2)\"");
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(Files.newOutputStream(needy), m)) {
            jar.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
        }
        try {
            call("bulkhead.extension.Install", "", needy.toString());
            fail("an unresolvable bundle must be reported as a failure");
        } catch (QubesException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("missing requirement"));
            assertTrue(e.getMessage(), e.getMessage().contains("osgi.wiring.package=org.example.absent"));
        }
        // dom0 still works: the model answers and the failed extension is listed with its problem
        domains.create(QubeClass.TEMPLATE_VM, "still-works", "black", Map.of());
        String list = call("bulkhead.extension.List", "", "");
        assertTrue(list, list.contains("needy.jar") && list.contains("org.example.absent"));
        String removed = call("bulkhead.extension.Remove", "org.example.needy", "");
        assertTrue(removed, removed.startsWith("Removed needy.jar"));

        try {
            call("bulkhead.extension.Install", "", "/etc/hostname");
            fail("not a bundle");
        } catch (QubesException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("neither a bundle (.jar) nor a feature package (.bfp)"));
        }
        try {
            admin.call(new AdminRequest("bulkhead.extension.Install", "", "still-works", "dom0", needy.toString().getBytes(StandardCharsets.UTF_8)));
            fail("a qube must not install bundles");
        } catch (QubesException e) {
            assertEquals("PermissionDenied", e.qubesClass());
        }
    }

    @Test
    public void featurePackageBringsBundlesAndConfigurationAndTakesBothAway() throws Exception {
        Path bfp = Path.of(context.getProperty("bulkhead.data.dir"), "dates.bfp");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bfp))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("feature.json"));
            zip.write("{\"name\": \"dates\", \"version\": \"1.0\"}".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new java.util.zip.ZipEntry("bundles/creation-date.jar"));
            zip.write(Files.readAllBytes(Path.of(System.getProperty("bulkhead.example.bundle"))));
            zip.putNextEntry(new java.util.zip.ZipEntry("config/org.example.dates.cfg"));
            zip.write("format = iso\n".getBytes(StandardCharsets.UTF_8));
        }
        String report = call("bulkhead.extension.Install", "", bfp.toUri().toString());
        assertTrue(report, report.startsWith("Installed dates.bfp") && report.contains("provides qrexec service example.CreationDate"));
        org.osgi.service.cm.Configuration[] configs = configAdmin.listConfigurations("(service.pid=org.example.dates)");
        assertEquals(1, configs.length);
        assertEquals("iso", configs[0].getProperties().get("format"));
        assertEquals("dates.bfp", configs[0].getProperties().get("bulkhead.feature"));
        domains.create(QubeClass.TEMPLATE_VM, "packaged-1", "black", Map.of());
        assertTrue(domains.tags("packaged-1").contains("created-" + LocalDate.now()));

        String removed = call("bulkhead.extension.Remove", "dates.bfp", "");
        assertTrue(removed, removed.contains("withdrew event listener domain-add"));
        assertEquals(null, configAdmin.listConfigurations("(service.pid=org.example.dates)"));
        domains.create(QubeClass.TEMPLATE_VM, "packaged-2", "black", Map.of());
        assertTrue(domains.tags("packaged-2").stream().noneMatch(t -> t.startsWith("created-2")));
    }
}
