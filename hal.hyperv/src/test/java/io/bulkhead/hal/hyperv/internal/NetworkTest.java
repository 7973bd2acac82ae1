package io.bulkhead.hal.hyperv.internal;

import static io.bulkhead.hal.hyperv.internal.Backends.all;
import static io.bulkhead.hal.hyperv.internal.Backends.appVm;
import static io.bulkhead.hal.hyperv.internal.Backends.command;
import static io.bulkhead.hal.hyperv.internal.Backends.commandNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NetworkLinks become one private switch per (netvm, client) pair. */
class NetworkTest {

    @TempDir
    Path pool;

    private final FakeHyperV fake = new FakeHyperV();
    private HypervHypervisor hyperv;
    private DomainSpec netvm;

    @BeforeEach
    void setUp() {
        hyperv = Backends.backend(fake, Map.of());
        netvm = appVm(pool, "sys-firewall").providesNetwork(true).option("hyperv-switch", "Default Switch").build();
    }

    @AfterEach
    void tearDown() {
        hyperv.close();
        assertEquals(List.of(), fake.violations());
    }

    private DomainSpec client(String name, String mac) {
        return appVm(pool, name).network(Backends.uplink("sys-firewall", mac)).build();
    }

    @Test
    void aClientGetsItsOwnPrivateSwitchWithGuardsAndTheNetvmAPortOnIt() {
        hyperv.define(netvm);
        hyperv.start("sys-firewall");
        fake.clear();

        hyperv.define(client("work", "00:16:3e:5e:6c:05"));
        PowerShellScript define = fake.last("define");
        PsCommands.Invocation newSwitch = command(define, "New-VMSwitch");
        assertEquals("Private", newSwitch.get("-SwitchType"));
        String switchName = newSwitch.get("-Name");
        assertTrue(switchName.startsWith("bulkhead-sys-firewall-work-") && switchName.length() == 35, switchName);
        assertEquals("Bulkhead link to netvm " + netvm.uuid() + "; netvm-side MAC 02163E5E6C04", newSwitch.get("-Notes"));
        PsCommands.Invocation uplink = command(define, "Add-VMNetworkAdapter");
        assertEquals("bulkhead-uplink", uplink.get("-Name"));
        assertEquals("00163E5E6C05", uplink.get("-StaticMacAddress"));
        assertEquals("$nic", command(define, "Connect-VMNetworkAdapter").get("-VMNetworkAdapter"));
        assertEquals("$switch", command(define, "Connect-VMNetworkAdapter").get("-VMSwitch"));
        PsCommands.Invocation guards = command(define, "Set-VMNetworkAdapter");
        assertEquals("Off", guards.get("-MacAddressSpoofing"));
        assertEquals("On", guards.get("-DhcpGuard"));
        assertEquals("On", guards.get("-RouterGuard"));
        assertTrue(define.literals().contains(switchName), "looked up by exact name before creating it");

        fake.clear();
        hyperv.start("work");
        PowerShellScript start = fake.last("start");
        assertEquals(List.of("Find-BulkheadVm", "Find-BulkheadVm", "Find-BulkheadSwitch", "Get-VMNetworkAdapter",
                "Where-Object", "Add-VMNetworkAdapter", "Connect-VMNetworkAdapter", "Start-VM", "ConvertTo-BulkheadRecord"),
                commandNames(start));
        PsCommands.Invocation port = command(start, "Add-VMNetworkAdapter");
        assertEquals("$netvm", port.get("-VM"), "the port is hot-added to the running netvm");
        assertEquals(switchName, port.get("-Name"));
        assertEquals("02163E5E6C04", port.get("-StaticMacAddress"));
        assertEquals("sys-firewall", start.literals().get(start.literals().indexOf("work") + 1),
                "the second VM looked up is the netvm");

        fake.clear();
        hyperv.kill("work");
        assertEquals(List.of("kill", "unlink"), fake.actions());
        PowerShellScript unlink = fake.last("unlink");
        assertEquals(List.of("Get-VM", "Where-Object", "Test-BulkheadNotes", "Get-VMNetworkAdapter", "Where-Object",
                "Remove-VMNetworkAdapter", "Find-BulkheadSwitch", "Remove-VMSwitch"), commandNames(unlink));
        assertTrue(command(unlink, "Remove-VMSwitch").has("-Force"));
        assertTrue(unlink.literals().contains(switchName));
    }

    @Test
    void eachClientHasItsOwnSwitchSoClientsNeverShareASegment() {
        hyperv.define(netvm);
        hyperv.start("sys-firewall");
        hyperv.define(client("work", "00:16:3e:5e:6c:05"));
        String work = command(fake.last("define"), "New-VMSwitch").get("-Name");
        hyperv.define(client("personal", "00:16:3e:5e:6c:06"));
        String personal = command(fake.last("define"), "New-VMSwitch").get("-Name");
        assertNotEquals(work, personal);
    }

    @Test
    void theNetvmConnectsToItsHostSwitchAndReattachesItsLinksWhenDefinedAgain() {
        hyperv.define(netvm);
        PowerShellScript define = fake.last("define");
        PsCommands.Invocation external = all(define, "Add-VMNetworkAdapter").get(0);
        assertEquals("bulkhead-external", external.get("-Name"));
        assertTrue(define.literals().contains("Default Switch"));
        assertTrue(define.literals().contains("Bulkhead link to netvm " + netvm.uuid() + "; netvm-side MAC "),
                "finds the link switches that name it");
        assertEquals("Private", command(define, "Get-VMSwitch").get("-SwitchType"));
    }

    @Test
    void aClientOfANetvmThatIsNotRunningCannotBeDefined() {
        hyperv.define(netvm);
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> hyperv.define(client("work", "00:16:3e:5e:6c:05")));
        assertTrue(e.getMessage().contains("its netvm 'sys-firewall' is not running"), e.getMessage());
    }

    @Test
    void aNetvmMustProvideNetwork() {
        hyperv.define(appVm(pool, "sys-firewall").build());
        hyperv.start("sys-firewall");
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> hyperv.define(client("work", "00:16:3e:5e:6c:05")));
        assertTrue(e.getMessage().contains("'sys-firewall' does not provide network"), e.getMessage());
    }

    @Test
    void aClientThatStopsByItselfLosesItsLink() throws Exception {
        HypervHypervisor polled = Backends.backend(fake, Map.of("statePollSeconds", "1"));
        Backends.Events events = new Backends.Events();
        polled.addStateListener(events::record);
        try {
            polled.define(netvm);
            polled.start("sys-firewall");
            polled.define(client("work", "00:16:3e:5e:6c:05"));
            polled.start("work");
            fake.clear();
            fake.setState("work", VmState.OFF);
            String event;
            do {
                event = events.next();
            } while (!event.startsWith("work SHUTOFF"));
            assertTrue(fake.actions().contains("unlink"), fake.operations().toString());
        } finally {
            polled.close();
        }
    }
}
