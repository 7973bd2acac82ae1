package io.bulkhead.core.domains.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.QubesVMError;
import io.bulkhead.core.domains.QubesVMInUseError;
import io.bulkhead.core.domains.QubesVMNotHaltedError;
import io.bulkhead.core.domains.QubesVMNotPausedError;
import io.bulkhead.core.domains.QubesVMNotStartedError;
import io.bulkhead.core.domains.QubesVMShutdownTimeoutError;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.VolumeSpec;
import io.bulkhead.core.domains.internal.storage.QemuImg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start/shutdown orchestration against a test double of the Hypervisor SPI, with real file storage. */
class OrchestrationTest {

    @TempDir
    Path dir;
    DomainsServiceImpl s;
    FakeHypervisor kvm;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void open() throws Exception {
        assumeTrue(new QemuImg("qemu-img").locate().isPresent(), "qemu-img is not installed (apt-get install qemu-utils)");
        s = TestSupport.open(dir);
        TestSupport.standardQubes(s);
        TestSupport.installKernel(dir, "6.1");
        s.setGlobalProperty("default_kernel", "6.1");
        kvm = new FakeHypervisor("kvm");
        s.bindHypervisor(kvm, "kvm");
        s.addListener(e -> events.add(e.name() + e.subject().map(q -> "@" + q).orElse("")), 0, 1,
                List.of("domain-*"));
    }

    @AfterEach
    void close() {
        if (s != null) {
            s.close();
        }
    }

    private List<String> starts() {
        return kvm.callsSnapshot().stream().filter(c -> c.startsWith("start ")).toList();
    }

    @Test
    void startBringsUpNetvmChainFirstWithStorageAndSpec() {
        s.setProperty("work", "memory", "1000");
        s.start("work");
        assertEquals(List.of("start sys-net", "start sys-firewall", "start work"), starts());
        assertEquals(PowerState.RUNNING, s.powerState("work"));
        assertEquals(PowerState.RUNNING, s.powerState("sys-net"));
        DomainSpec spec = kvm.defined.get("work");
        assertEquals(1000, spec.memoryMiB());
        assertEquals(2, spec.vcpus());
        assertEquals(s.get("work").uuid(), spec.uuid());
        assertEquals(List.of("root", "private", "volatile"), spec.volumes().stream().map(VolumeSpec::name).toList());
        VolumeSpec root = spec.volume("root").orElseThrow();
        assertEquals(DiskFormat.QCOW2, root.format());
        assertTrue(Files.exists(root.path()), "root overlay created before the backend starts");
        assertEquals(Path.of(s.volumeInfo("fedora", "root").path().orElseThrow()), root.backing().orElseThrow());
        assertEquals("sys-firewall", spec.networks().get(0).backendDomain());
        assertEquals(s.getProperty("work", "ip").value(), spec.networks().get(0).ip());
        assertEquals(s.getProperty("sys-firewall", "ip").value(), spec.networks().get(0).gateway());
        assertTrue(spec.hasChannel("qrexec"));
        DomainSpec.KernelBoot boot = (DomainSpec.KernelBoot) spec.boot();
        assertTrue(boot.kernel().endsWith(Path.of("6.1", "vmlinuz")));
        assertTrue(boot.initrd().isPresent());
        assertTrue(boot.cmdline().contains("swiotlb=2048"));
        assertTrue(spec.providesNetwork() == false && kvm.defined.get("sys-net").providesNetwork());
        assertEquals(s.getProperty("sys-firewall", "gateway").value(), kvm.defined.get("sys-firewall").options().get("gateway"),
                "a netvm learns the address it shows its clients");
        assertEquals(null, spec.options().get("gateway"), "only qubes that provide network get one");
        assertTrue(events.indexOf("domain-pre-start@work") < events.indexOf("domain-spawn@work"));
        assertTrue(events.indexOf("domain-spawn@work") < events.indexOf("domain-start@work"));
        assertTrue(events.indexOf("domain-start@sys-firewall") < events.indexOf("domain-spawn@work"));
        s.start("work");
        assertEquals(3, starts().size(), "starting a running qube is a no-op");
    }

    @Test
    void withoutBackendStartNamesTheMissingBackend() {
        s.unbindHypervisor(kvm);
        QubesException e = assertThrows(QubesException.class, () -> s.start("work"));
        assertTrue(e.getMessage().contains("no hypervisor backend 'kvm'"), e.getMessage());
        assertTrue(e.getMessage().contains("hypervisor=kvm"), e.getMessage());
        FakeHypervisor xen = new FakeHypervisor("xen");
        s.bindHypervisor(xen, "xen");
        assertThrows(QubesException.class, () -> s.start("work"), "a backend with another id is not used");
        FakeHypervisor kvm2 = new FakeHypervisor("kvm");
        s.bindHypervisor(kvm2, "kvm");
        s.start("work");
        assertEquals(PowerState.RUNNING, s.powerState("work"));
        assertTrue(kvm2.defined.containsKey("work"));
        assertTrue(xen.defined.isEmpty());
    }

    @Test
    void agentTimeoutKillsAndReports() {
        s.setFeature("fedora", "qrexec", "1");
        s.setProperty("work", "qrexec_timeout", "1");
        AtomicInteger asked = new AtomicInteger();
        s.setAgentReadiness((qube, timeout) -> {
            asked.incrementAndGet();
            return !qube.equals("work");
        });
        kvm.consoleText = "[    1.2] Run /init as init process\nagent: cannot open /dev/virtio-ports/qrexec\n";
        QubesVMError e = assertThrows(QubesVMError.class, () -> s.start("work"));
        assertTrue(e.getMessage().contains("qrexec agent") && e.getMessage().contains("1 seconds"), e.getMessage());
        assertTrue(e.getMessage().contains("last console lines") && e.getMessage().contains("cannot open /dev/virtio-ports/qrexec"),
                e.getMessage());
        assertTrue(kvm.callsSnapshot().contains("kill work"));
        assertEquals(PowerState.HALTED, s.powerState("work"));
        assertTrue(events.contains("domain-start-failed@work"));
        assertFalse(Files.exists(kvm.defined.get("work").volume("root").orElseThrow().path()), "storage stopped");
        assertEquals(PowerState.RUNNING, s.powerState("sys-firewall"), "the netvm chain stays up");
        assertEquals(3, asked.get());
    }

    @Test
    void withoutAgentServiceStartDoesNotWaitAndSaysSo() {
        s.setFeature("fedora", "qrexec", "1");
        TestSupport.LOG.clear();
        s.start("work");
        assertEquals(PowerState.RUNNING, s.powerState("work"));
        assertTrue(TestSupport.LOG.stream().anyMatch(m -> m.contains("not waiting for the qrexec agent of 'work'")),
                TestSupport.LOG.toString());
    }

    @Test
    void backendFailureCleansUpAndKeepsHalted() {
        kvm.failStart = new io.bulkhead.core.domains.hal.HypervisorException("sys-net", "qemu exited with 1");
        QubesVMError e = assertThrows(QubesVMError.class, () -> s.start("work"));
        assertTrue(e.getMessage().contains("sys-net") && e.getMessage().contains("qemu exited with 1"), e.getMessage());
        assertEquals(PowerState.HALTED, s.powerState("sys-net"));
        assertEquals(PowerState.HALTED, s.powerState("work"));
        assertFalse(s.volumeInfo("sys-net", "private").config().vid().isEmpty());
        assertFalse(Files.exists(dir.resolve("appvms/sys-net/root-snap.qcow2")));
    }

    @Test
    void preStartVetoAndProhibitStart() {
        io.bulkhead.core.domains.event.QubesEventListener veto = e -> {
            throw new QubesVMError("work", "work is not allowed today");
        };
        s.addListener(veto, 10, 2, List.of("domain-pre-start"));
        QubesVMError vetoed = assertThrows(QubesVMError.class, () -> s.start("work"));
        assertEquals("work is not allowed today", vetoed.getMessage());
        assertTrue(starts().isEmpty());
        s.removeListener(veto);
        s.setFeature("sys-net", "prohibit-start", "broken NIC");
        assertTrue(assertThrows(QubesVMError.class, () -> s.start("sys-net")).getMessage().contains("broken NIC"));
    }

    @Test
    void netvmWithRunningClientsNeedsForce() {
        s.start("work");
        QubesVMError e = assertThrows(QubesVMError.class, () -> s.shutdown("sys-firewall", false, true, null));
        assertTrue(e.getMessage().contains("work"), e.getMessage());
        assertEquals(PowerState.RUNNING, s.powerState("sys-firewall"));
        s.shutdown("work", false, true, null);
        assertEquals(PowerState.HALTED, s.powerState("work"));
        assertTrue(events.contains("domain-shutdown@work"));
        s.start("work");
        s.shutdown("sys-firewall", true, true, Duration.ofSeconds(1));
        assertEquals(PowerState.HALTED, s.powerState("sys-firewall"));
        assertThrows(QubesVMNotStartedError.class, () -> s.shutdown("sys-firewall", false, false, null));
        assertThrows(QubesVMError.class, () -> s.shutdown("dom0", false, false, null));
    }

    @Test
    void shutdownTimeoutLeavesQubeRunning() {
        s.start("sys-net");
        kvm.guestHonoursShutdown = false;
        QubesVMShutdownTimeoutError e = assertThrows(QubesVMShutdownTimeoutError.class,
                () -> s.shutdown("sys-net", false, true, Duration.ofMillis(10)));
        assertTrue(e.getMessage().contains("sys-net"));
        assertEquals(PowerState.RUNNING, s.powerState("sys-net"));
        s.kill("sys-net");
        assertEquals(PowerState.HALTED, s.powerState("sys-net"));
        assertThrows(QubesVMNotStartedError.class, () -> s.kill("sys-net"));
    }

    @Test
    void pauseUnpauseAndRunningQubesCannotBeChangedOrRemoved() {
        s.start("work");
        s.pause("work");
        assertEquals(PowerState.PAUSED, s.powerState("work"));
        assertThrows(QubesVMNotHaltedError.class, () -> s.remove("work"));
        assertThrows(QubesVMNotHaltedError.class, () -> s.setProperty("work", "template", "fedora"));
        s.unpause("work");
        assertThrows(QubesVMNotPausedError.class, () -> s.unpause("work"));
        assertEquals(List.of("pause work", "unpause work"),
                kvm.callsSnapshot().stream().filter(c -> c.contains("pause")).toList());
        s.create(QubeClass.APP_VM, "offline", "red", Map.of("netvm", ""));
        s.shutdown("work", false, true, null);
        s.shutdown("sys-firewall", false, true, null);
        io.bulkhead.core.domains.QubesPropertyValueError e = assertThrows(io.bulkhead.core.domains.QubesPropertyValueError.class, () -> {
            s.start("offline");
            s.setProperty("offline", "netvm", "sys-firewall");
        });
        assertTrue(e.getMessage().contains("stopped qube"), e.getMessage());
    }

    @Test
    void aLateStopReportOfAnEarlierInstanceDoesNotStopTheRestartedQube() throws Exception {
        s.start("work");
        Path privOverlay = kvm.defined.get("work").volume("private").orElseThrow().path();
        // the backend still runs "work" (its state says so) when a stale SHUTOFF arrives
        for (var listener : kvm.listeners) {
            listener.stateChanged("work", io.bulkhead.core.domains.hal.DomainState.SHUTOFF, "qemu exited");
        }
        Thread.sleep(300);
        assertEquals(PowerState.RUNNING, s.powerState("work"));
        assertTrue(Files.exists(privOverlay), "the running qube's volumes are not stopped");
        kvm.guestPowerOff("work");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (s.powerState("work") != PowerState.HALTED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(PowerState.HALTED, s.powerState("work"), "a real stop is still noticed");
    }

    @Test
    void guestPowerOffIsNoticedAndDisposablesAreCleanedUp() throws Exception {
        s.setProperty("work", "template_for_dispvms", "True");
        QubeInfo disp = s.createDisposable("work");
        s.start(disp.name());
        Path privOverlay = kvm.defined.get(disp.name()).volume("private").orElseThrow().path();
        assertTrue(Files.exists(privOverlay));
        kvm.guestPowerOff(disp.name());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (s.find(disp.name()).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(s.find(disp.name()).isEmpty(), "auto_cleanup disposable removed after it stopped");
        assertFalse(Files.exists(privOverlay));
        assertTrue(events.contains("domain-shutdown@" + disp.name()));
        assertTrue(events.contains("domain-delete"));
        assertThrows(QubesVMInUseError.class, () -> s.remove("fedora"));
    }

    @Test
    void requiredDevicesMustBePresentAndAreAttachedWithAutoAttachOnes() {
        List<String> attached = Collections.synchronizedList(new ArrayList<>());
        List<io.bulkhead.core.domains.device.DeviceInfo> present = new ArrayList<>();
        io.bulkhead.core.domains.device.DeviceClass usb = new io.bulkhead.core.domains.device.DeviceClass() {
            @Override
            public String name() {
                return "usb";
            }

            @Override
            public List<io.bulkhead.core.domains.device.DeviceInfo> available(String backendQube) {
                return present.stream().filter(d -> d.backendDomain().equals(backendQube)).toList();
            }

            @Override
            public List<io.bulkhead.core.domains.device.DeviceInfo> attached(String targetQube) {
                return List.of();
            }

            @Override
            public void attach(String targetQube, io.bulkhead.core.domains.device.DeviceInfo device, Map<String, String> options) {
                attached.add(targetQube + "<-" + device.port());
            }

            @Override
            public void detach(String targetQube, io.bulkhead.core.domains.device.DeviceInfo device) {
            }
        };
        s.assignDevice("work", new io.bulkhead.core.domains.device.DeviceAssignment("usb", "sys-net", "2-1", "*",
                io.bulkhead.core.domains.device.AssignmentMode.REQUIRED, Map.of()));
        s.assignDevice("work", new io.bulkhead.core.domains.device.DeviceAssignment("usb", "sys-net", "3-1", "*",
                io.bulkhead.core.domains.device.AssignmentMode.AUTO_ATTACH, Map.of()));
        QubesException noClass = assertThrows(QubesException.class, () -> s.start("work"));
        assertTrue(noClass.getMessage().contains("devclass=usb"), noClass.getMessage());
        s.addDeviceClass(usb);
        QubesException missing = assertThrows(QubesException.class, () -> s.start("work"));
        assertTrue(missing.getMessage().contains("sys-net:2-1"), missing.getMessage());
        assertEquals(PowerState.HALTED, s.powerState("work"));
        present.add(new io.bulkhead.core.domains.device.DeviceInfo("sys-net", "2-1", "0x1234:0x5678", "token", Map.of()));
        s.start("work");
        assertEquals(List.of("work<-2-1"), attached, "the absent auto-attach device is skipped, not fatal");
        assertTrue(events.contains("domain-start@work"));
    }

    @Test
    void featuresReachTheBackendAsOptions() {
        s.setFeature("work", "qemu-machine", "q35");
        s.start("work");
        DomainSpec spec = kvm.defined.get("work");
        assertEquals("q35", spec.options().get("qemu-machine"));
        assertEquals("pvh", spec.options().get("virt_mode"));
        assertEquals("AppVM", spec.options().get("klass"));
    }

    @Test
    void reconcileAdoptsRunningDomainsOfANewBackend() {
        s.unbindHypervisor(kvm);
        FakeHypervisor survivor = new FakeHypervisor("kvm");
        survivor.states.put("sys-net", io.bulkhead.core.domains.hal.DomainState.RUNNING);
        s.bindHypervisor(survivor, "kvm");
        assertEquals(PowerState.RUNNING, s.powerState("sys-net"));
        assertEquals(PowerState.HALTED, s.powerState("work"));
    }
}
