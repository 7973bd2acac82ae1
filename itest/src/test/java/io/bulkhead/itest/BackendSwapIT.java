package io.bulkhead.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

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
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.itest.QubeCommands.Result;

/**
 * Swapping the hypervisor backend on a running dom0 with two backends installed (hal.kvm and the
 * local-process backend): through ConfigAdmin and through the Admin API, refused while a qube
 * runs, forced, and with a backend bundle going away and coming back. No VM is booted: the qubes
 * run on the local backend.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BackendSwapIT {
    private static final String DOMAINS_PID = "io.bulkhead.core.domains";

    @Inject
    BundleContext context;

    @Inject
    DomainsService domains;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    AdminApi admin;

    @Inject
    QrexecService qrexec;

    /** Injected so tests start once a backend is registered. */
    @Inject
    Hypervisor anyBackend;

    @Configuration
    public Option[] config() {
        return new Option[] {Dom0Runtime.extensible(Dom0Runtime.freshDataDir()), bundle(Dom0Runtime.bundleUrl("hal.kvm"))};
    }

    /** Pax Exam computes the configuration once per class: the methods share the data directory. */
    @After
    public void removeEverything() throws Exception {
        for (QubeInfo q : domains.list()) {
            if (q.klass() != QubeClass.ADMIN_VM && q.powerState() != PowerState.HALTED) {
                domains.kill(q.name());
            }
        }
        for (QubeClass klass : List.of(QubeClass.APP_VM, QubeClass.TEMPLATE_VM)) {
            for (QubeInfo q : domains.list()) {
                if (q.klass() == klass) {
                    domains.remove(q.name());
                }
            }
        }
        Files.deleteIfExists(Path.of(context.getProperty("felix.fileinstall.dir"), DOMAINS_PID + ".cfg"));
        configure("kvm");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(what, condition.getAsBoolean());
    }

    private void configure(String hypervisor) throws Exception {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("hypervisor", hypervisor);
        configAdmin.getConfiguration(DOMAINS_PID, "?").update(props);
    }

    private Bundle installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    private void startLocalQube(String name) throws Exception {
        domains.create(QubeClass.TEMPLATE_VM, "tpl-" + name, "black", Map.of());
        domains.setFeature("tpl-" + name, "qrexec", "1"); // start waits for the agent
        domains.create(QubeClass.APP_VM, name, "blue", Map.of("template", "tpl-" + name, "netvm", ""));
        domains.start(name);
        assertEquals(new Result(0, "up\n", ""), QubeCommands.run(qrexec, name, "echo up"));
    }

    @Test
    public void aConfigurationChangeReachesTheRunningModelWithoutRestartingIt() throws Exception {
        await("both backends registered", () -> domains.hypervisorStatus().registered().equals(List.of("kvm", "local")));
        assertEquals("kvm", domains.hypervisorStatus().selected());
        ServiceReference<DomainsService> before = context.getServiceReference(DomainsService.class);

        long t0 = System.nanoTime();
        configure("local");
        await("ConfigAdmin switched the backend to local", () -> domains.hypervisorStatus().selected().equals("local"));
        long swapMs = (System.nanoTime() - t0) / 1_000_000;
        ServiceReference<DomainsService> after = context.getServiceReference(DomainsService.class);
        assertEquals("the model service was not re-registered", before.getProperty("service.id"), after.getProperty("service.id"));

        startLocalQube("work");
        assertEquals(PowerState.RUNNING, domains.powerState("work"));
        domains.shutdown("work", false, true, null);

        configure("kvm");
        await("and back to kvm", () -> domains.hypervisorStatus().selected().equals("kvm"));
        System.out.println("[figures] backend swap through ConfigAdmin (update to applied): " + swapMs + " ms");
    }

    @Test
    public void swapIsRefusedWhileAQubeRunsAndForcedSwapShutsItDown() throws Exception {
        await("local registered", () -> domains.hypervisorStatus().registered().contains("local"));
        domains.selectHypervisor("local", false);
        startLocalQube("work");

        try {
            domains.selectHypervisor("kvm", false);
            fail("a swap with a running qube must be refused");
        } catch (QubesException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("while qubes are running: work"));
        }
        // the same request through ConfigAdmin is not applied either
        configure("kvm");
        Thread.sleep(1_000);
        assertEquals("local", domains.hypervisorStatus().selected());
        assertEquals(PowerState.RUNNING, domains.powerState("work"));
        assertEquals(new Result(0, "still here\n", ""), QubeCommands.run(qrexec, "work", "echo still here"));

        // the Admin API refuses too, then forces: the qube is shut down and the choice recorded in hot-deploy
        try {
            admin.call(new AdminRequest("bulkhead.hypervisor.Set", "kvm", "dom0", "dom0", new byte[0]));
            fail("refused while work runs");
        } catch (QubesException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("work"));
        }
        long t0 = System.nanoTime();
        String report = admin.call(new AdminRequest("bulkhead.hypervisor.Set", "kvm", "dom0", "dom0", "force".getBytes(StandardCharsets.UTF_8)));
        long forcedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(report, report.contains("switched from 'local' to 'kvm'"));
        assertEquals(PowerState.HALTED, domains.powerState("work"));
        assertEquals("kvm", domains.hypervisorStatus().selected());
        Path cfg = Path.of(context.getProperty("felix.fileinstall.dir"), DOMAINS_PID + ".cfg");
        assertEquals(List.of("hypervisor=kvm"), Files.readAllLines(cfg));
        System.out.println("[figures] forced backend swap with one running qube (shutdown + switch): " + forcedMs + " ms");
    }

    @Test
    public void aBackendBundleGoingAwayIsDroppedAndPickedUpAgain() throws Exception {
        await("local registered", () -> domains.hypervisorStatus().registered().contains("local"));
        domains.selectHypervisor("local", false);
        domains.create(QubeClass.TEMPLATE_VM, "tpl", "black", Map.of());
        domains.setFeature("tpl", "qrexec", "1");
        domains.create(QubeClass.APP_VM, "work", "blue", Map.of("template", "tpl", "netvm", ""));

        Bundle local = installed("io.bulkhead.hal.local");
        local.stop();
        assertFalse(domains.hypervisorStatus().available());
        assertEquals(List.of("kvm"), domains.hypervisorStatus().registered());
        try {
            domains.start("work");
            fail("no local backend");
        } catch (QubesException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no hypervisor backend 'local' is available"));
        }
        assertEquals(PowerState.HALTED, domains.powerState("work"));

        local.start();
        await("the backend is back", () -> domains.hypervisorStatus().available());
        domains.start("work");
        assertEquals(new Result(0, "back\n", ""), QubeCommands.run(qrexec, "work", "echo back"));
    }
}
