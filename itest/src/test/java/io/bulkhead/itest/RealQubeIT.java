package io.bulkhead.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyService;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.itest.QubeCommands.Result;

/**
 * Real qubes end to end, on the dom0 bundle set with hal.kvm: QEMU VMs (TCG here) booting the
 * minimal template with the real agent, commands and calls through qrexec and the policy.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RealQubeIT {
    private static boolean templateInstalled;

    @Inject
    BundleContext context;

    @Inject
    DomainsService domains;

    @Inject
    QrexecService qrexec;

    @Inject
    PolicyService policy;

    /** Injected so the tests start only once the KVM backend is registered. */
    @Inject
    Hypervisor hypervisor;

    @Configuration
    public Option[] config() {
        return new Option[] {
            Dom0Runtime.core(Dom0Runtime.freshDataDir()),
            bundle(Dom0Runtime.bundleUrl("hal.kvm")),
            systemProperty("bulkhead.template.builder").value(System.getProperty("bulkhead.template.builder")),
            systemProperty("bulkhead.agent.jar").value(System.getProperty("bulkhead.agent.jar")),
        };
    }

    @Before
    public void installTemplateOnce() throws Exception {
        if (!templateInstalled) {
            GuestTemplate.install(GuestTemplate.buildOrReuse(), Path.of(dataDir()), domains);
            templateInstalled = true;
        }
    }

    @After
    public void everythingIsShutDown() throws Exception {
        for (QubeInfo qube : domains.list()) {
            if (qube.klass() != QubeClass.ADMIN_VM && qube.powerState() != PowerState.HALTED) {
                domains.kill(qube.name());
            }
        }
        assertEquals("QEMU processes left behind", List.of(), qemuProcesses());
    }

    @Test
    public void commandsRunInARealQubeAndOnlyPrivateSurvivesARestart() throws Exception {
        domains.create(QubeClass.APP_VM, "work", "blue", Map.of("template", GuestTemplate.NAME));
        domains.start("work");
        assertEquals(PowerState.RUNNING, domains.powerState("work"));
        assertEquals(1, qemuProcesses().size());

        assertEquals(new Result(0, "hi\n", ""), run("work", "echo hi"));
        assertEquals(new Result(7, "", "oops\n"), run("work", "echo oops >&2; exit 7"));
        // non-ASCII survives the way in (the guest's locale) and out
        assertEquals(new Result(0, "caf\u00e9 \u2603\n", ""), run("work", "echo 'caf\u00e9 \u2603'"));
        // a burst from dom0 far larger than one virtio-serial read reaches the command whole
        byte[] burst = new byte[256 * 1024];
        new java.util.Random(6).nextBytes(burst);
        assertEquals(new Result(0, burst.length + "\n", ""), QubeCommands.run(qrexec, "work", "wc -c | tr -d ' '", burst));
        assertEquals(0, run("work", "mkdir -p /home/user && echo kept > /home/user/private-file"
                + " && echo lost > /etc/root-file && sync").exitCode());

        domains.shutdown("work", false, true, Duration.ofSeconds(60));
        assertEquals(PowerState.HALTED, domains.powerState("work"));
        assertEquals(List.of(), qemuProcesses());

        domains.start("work");
        assertEquals(new Result(0, "kept\nroot file: absent\n", ""),
                run("work", "cat /home/user/private-file; test -e /etc/root-file && echo 'root file: present' || echo 'root file: absent'"));
        domains.shutdown("work", false, true, Duration.ofSeconds(60));
        domains.remove("work");
    }

    @Test
    public void thePolicyDecidesCallsBetweenTwoQubes() throws Exception {
        policy.admin().replace(PolicyAdmin.Scope.POLICY, "30-test", PolicyAdmin.NEW,
                "test.Echo * caller callee allow\n"
                + "test.Denied * caller callee deny\n");
        domains.create(QubeClass.APP_VM, "callee", "green", Map.of("template", GuestTemplate.NAME));
        domains.create(QubeClass.APP_VM, "caller", "red", Map.of("template", GuestTemplate.NAME));
        domains.start("callee");
        String service = "#!/bin/sh\necho \"from $QREXEC_REMOTE_DOMAIN, argument $1\"\n";
        for (String name : List.of("test.Echo", "test.Denied")) {
            assertEquals(0, run("callee", "mkdir -p /usr/local/etc/qubes-rpc && printf '%s' '" + service + "' > /usr/local/etc/qubes-rpc/"
                    + name + " && chmod +x /usr/local/etc/qubes-rpc/" + name).exitCode());
        }
        domains.start("caller");

        assertEquals(new Result(0, "from caller, argument hello\n", ""), run("caller", "qrexec-client-vm callee test.Echo+hello"));
        Result denied = run("caller", "qrexec-client-vm callee test.Denied; echo status=$?");
        assertTrue(denied.toString(), denied.stdout().endsWith("status=126\n"));

        domains.shutdown("caller", false, true, Duration.ofSeconds(60));
        domains.shutdown("callee", false, true, Duration.ofSeconds(60));
        policy.admin().remove(PolicyAdmin.Scope.POLICY, "30-test", PolicyAdmin.ANY);
    }

    @Test
    public void aQubeReachesItsNetvmOverTheDirectLink() throws Exception {
        domains.create(QubeClass.APP_VM, "sys-net", "red", Map.of("template", GuestTemplate.NAME, "provides_network", "True", "netvm", ""));
        domains.create(QubeClass.APP_VM, "client", "yellow", Map.of("template", GuestTemplate.NAME, "netvm", "sys-net"));
        domains.start("client");
        assertEquals("the netvm chain starts first", PowerState.RUNNING, domains.powerState("sys-net"));
        String clientIp = domains.getProperty("client", "ip").value();
        String gateway = domains.getProperty("client", "visible_gateway").value(); // the netvm's own address
        assertTrue(clientIp + " via " + gateway, clientIp.startsWith("10.137.") && gateway.startsWith("10.137."));

        // nothing set up by hand: the client's init configured eth0, the netvm's hot-plug watcher its NIC
        assertLinkWorks(clientIp, gateway);
        assertEquals(new Result(0, "nameserver 10.139.1.1\nnameserver 10.139.1.2\n", ""), run("client", "cat /etc/resolv.conf"));

        // a restart gives the client a new NIC in the netvm; the old one leaves no stale route behind
        domains.shutdown("client", false, true, Duration.ofSeconds(60));
        domains.start("client");
        assertLinkWorks(clientIp, gateway);

        domains.shutdown("client", false, true, Duration.ofSeconds(60));
        domains.shutdown("sys-net", false, true, Duration.ofSeconds(60));
    }

    /** Each side of the link reaches the other, and the netvm routes the client through one NIC only. */
    private void assertLinkWorks(String clientIp, String gateway) throws Exception {
        Result fromClient = run("client", "ping -c 1 -W 10 " + gateway);
        assertTrue(fromClient.toString(), fromClient.exitCode() == 0 && fromClient.stdout().contains("1 packets received"));
        Result fromNetvm = run("sys-net", "ping -c 1 -W 10 " + clientIp);
        assertTrue(fromNetvm.toString(), fromNetvm.exitCode() == 0 && fromNetvm.stdout().contains("1 packets received"));
        Result routes = run("sys-net", "ip route show table 137");
        assertEquals(routes.toString(), 1, routes.stdout().lines().count());
        assertTrue(routes.toString(), routes.stdout().startsWith(clientIp + " dev eth"));
    }

    @Test
    public void aQubeWhoseAgentNeverSaysHelloIsKilledAndTheConsoleShown() throws Exception {
        domains.create(QubeClass.APP_VM, "mute", "orange", Map.of("template", GuestTemplate.NAME));
        // the agent looks for a port that does not exist, so it never starts
        domains.setProperty("mute", "kernelopts", "bulkhead.agent_port=nonexistent");
        domains.setProperty("mute", "qrexec_timeout", "30");
        try {
            domains.start("mute");
            fail("a qube without agent must not start");
        } catch (QubesException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("qrexec_timeout") && e.getMessage().contains("the qube was killed"));
            assertTrue(e.getMessage(), e.getMessage().contains("last console lines")
                    && e.getMessage().contains("no virtio-serial port named 'nonexistent'"));
        }
        assertEquals(PowerState.HALTED, domains.powerState("mute"));
        assertEquals(List.of(), qemuProcesses());
    }

    /** The framework's data directory (this class is loaded again inside the framework). */
    private String dataDir() {
        return context.getProperty("bulkhead.data.dir");
    }

    /**
     * QEMU processes of this dom0 (their command line names a file under its data directory), read
     * from /proc: ProcessHandle hides the command line of processes that changed their user.
     */
    private List<String> qemuProcesses() throws IOException {
        List<String> found = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> proc = java.nio.file.Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path pid : proc) {
                String cmdline;
                try {
                    cmdline = new String(java.nio.file.Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                } catch (IOException gone) {
                    continue;
                }
                if (cmdline.contains("qemu-system") && cmdline.contains(dataDir())) {
                    found.add(pid.getFileName() + ": " + cmdline);
                }
            }
        }
        return found;
    }

    private Result run(String qube, String command) throws Exception {
        return QubeCommands.run(qrexec, qube, command);
    }
}
