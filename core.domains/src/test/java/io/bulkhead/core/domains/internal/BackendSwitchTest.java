package io.bulkhead.core.domains.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulkhead.core.domains.HypervisorStatus;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.QubesValueError;
import io.bulkhead.core.domains.internal.storage.QemuImg;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Switching the hypervisor backend at runtime: allowed when all qubes are halted, refused or forced otherwise. */
class BackendSwitchTest {

    @TempDir
    Path dir;
    DomainsServiceImpl s;
    FakeHypervisor kvm;
    FakeHypervisor xen;

    @BeforeEach
    void open() throws Exception {
        assumeTrue(new QemuImg("qemu-img").locate().isPresent(), "qemu-img is not installed (apt-get install qemu-utils)");
        s = TestSupport.open(dir);
        TestSupport.standardQubes(s);
        TestSupport.installKernel(dir, "6.1");
        s.setGlobalProperty("default_kernel", "6.1");
        kvm = new FakeHypervisor("kvm");
        xen = new FakeHypervisor("xen");
        s.bindHypervisor(kvm, "kvm");
        s.bindHypervisor(xen, "xen");
    }

    @AfterEach
    void close() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void statusNamesSelectionAndRegisteredBackends() {
        assertEquals(new HypervisorStatus("kvm", true, List.of("kvm", "xen")), s.hypervisorStatus());
        s.unbindHypervisor(xen);
        assertEquals(List.of("kvm"), s.hypervisorStatus().registered());
    }

    @Test
    void switchWhileEverythingIsHaltedTakesEffectForTheNextStart() {
        s.selectHypervisor("xen", false);
        assertEquals("xen", s.hypervisorStatus().selected());
        s.start("sys-net");
        assertTrue(xen.callsSnapshot().contains("start sys-net"));
        assertFalse(kvm.callsSnapshot().contains("start sys-net"));
        assertEquals(PowerState.RUNNING, s.powerState("sys-net"));
    }

    @Test
    void switchIsRefusedWithTheRunningQubesListed() {
        s.start("work"); // brings up sys-net and sys-firewall too
        QubesException e = assertThrows(QubesException.class, () -> s.selectHypervisor("xen", false));
        assertTrue(e.getMessage().contains("sys-firewall, sys-net, work"), e.getMessage());
        assertEquals("kvm", s.hypervisorStatus().selected());
        assertEquals(PowerState.RUNNING, s.powerState("work"));
        assertTrue(kvm.callsSnapshot().stream().noneMatch(c -> c.startsWith("shutdown") || c.startsWith("kill")));
    }

    @Test
    void forcedSwitchStopsClientsBeforeTheirNetvmsThenSwitches() {
        s.start("work");
        s.selectHypervisor("xen", true);
        assertEquals("xen", s.hypervisorStatus().selected());
        for (String q : List.of("work", "sys-firewall", "sys-net")) {
            assertEquals(PowerState.HALTED, s.powerState(q), q);
        }
        List<String> stops = kvm.callsSnapshot().stream().filter(c -> c.startsWith("shutdown ")).toList();
        assertEquals(List.of("shutdown work", "shutdown sys-firewall", "shutdown sys-net"), stops);
    }

    @Test
    void selectingAnUnregisteredBackendWorksButStartsNameIt() {
        s.selectHypervisor("hyperv", false);
        HypervisorStatus status = s.hypervisorStatus();
        assertEquals("hyperv", status.selected());
        assertFalse(status.available());
        QubesException e = assertThrows(QubesException.class, () -> s.start("sys-net"));
        assertTrue(e.getMessage().contains("no hypervisor backend 'hyperv'"), e.getMessage());
    }

    @Test
    void backendUnregisteringAndReturningIsPickedUpWithoutHoldingADeadService() {
        s.selectHypervisor("xen", false);
        s.unbindHypervisor(xen);
        assertFalse(s.hypervisorStatus().available());
        assertThrows(QubesException.class, () -> s.start("sys-net"));
        assertTrue(xen.callsSnapshot().stream().noneMatch(c -> c.startsWith("start")), "the unregistered backend was used");
        FakeHypervisor xenAgain = new FakeHypervisor("xen");
        s.bindHypervisor(xenAgain, "xen");
        s.start("sys-net");
        assertTrue(xenAgain.callsSnapshot().contains("start sys-net"));
    }

    @Test
    void invalidIdIsRejectedAndSelectionKept() {
        assertThrows(QubesValueError.class, () -> s.selectHypervisor("../xen", false));
        assertThrows(QubesValueError.class, () -> s.selectHypervisor("", false));
        assertEquals("kvm", s.hypervisorStatus().selected());
    }

    @Test
    void aBackendThatCannotBootAKernelIsNamedBeforeAnythingSpawns() {
        xen.capabilities = java.util.EnumSet.of(io.bulkhead.core.domains.hal.Capability.DISK_BOOT);
        s.selectHypervisor("xen", false);
        QubesException e = assertThrows(QubesException.class, () -> s.start("sys-net"));
        assertTrue(e.getMessage().contains("the xen backend cannot boot a kernel directly"), e.getMessage());
        assertTrue(xen.callsSnapshot().stream().noneMatch(c -> c.startsWith("start") || c.startsWith("define")), xen.callsSnapshot().toString());
        assertEquals(PowerState.HALTED, s.powerState("sys-net"));
        s.setProperty("sys-net", "kernel", "");
        s.start("sys-net");
        assertEquals(PowerState.RUNNING, s.powerState("sys-net"));
    }
}
