package io.bulkhead.hal.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkhead.core.domains.hal.Accelerator;
import io.bulkhead.core.domains.hal.Capability;
import io.bulkhead.core.domains.hal.CapabilityNotSupportedException;
import io.bulkhead.core.domains.hal.DeviceSpec;
import io.bulkhead.core.domains.hal.DomainNotFoundException;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.HypervisorCapabilities;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend against the {@code xl} stand-in: which xl commands it runs in which order, what it
 * makes of their output, and that the stand-in (which checks arguments like xl and parses every
 * config with libxlutil) never saw a malformed call.
 */
class XenHypervisorTest {

    private static final Duration EVENT_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private XlStandIn xl;
    private Path files;
    private final List<XenHypervisor> backends = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void standIn() throws IOException {
        xl = new XlStandIn(dir.resolve("xen"));
        files = dir.resolve("files");
    }

    @AfterEach
    void closeAndCheckCalls() throws IOException {
        backends.forEach(XenHypervisor::close);
        xl.close();
        assertEquals(List.of(), xl.invalidCalls(), "calls the stand-in rejected as malformed");
    }

    private XenHypervisor backend(Map<String, ?> extra) {
        Map<String, Object> config = new HashMap<>(Map.of("xlPath", xl.xl().toString(),
                "xenDeviceDirectory", xl.devXen().toString(), "pollIntervalMillis", 150,
                "channelConnectTimeoutSeconds", 1, "consoleLogDirectory", dir.resolve("console").toString()));
        config.putAll(extra);
        XenHypervisor xen = XenHypervisor.create(config);
        xen.addStateListener((domain, state, reason) -> events.add(domain + " " + state + " " + reason));
        backends.add(xen);
        return xen;
    }

    private XenHypervisor backend() {
        return backend(Map.of());
    }

    private DomainSpec appVm(String name) throws IOException {
        return Specs.materialise(Specs.appVm(name, files).build());
    }

    private DomainSpec standalone(String name) throws IOException {
        return Specs.withoutNetwork(appVm(name));
    }

    private DomainSpec netVm(String name) throws IOException {
        return Specs.materialise(Specs.netVm(name, files).build());
    }

    private void start(XenHypervisor xen, DomainSpec spec) {
        xen.define(spec);
        xen.start(spec.name());
    }

    private Path cfg(DomainSpec spec) {
        return spec.runDirectory().resolve("xl.cfg");
    }

    private List<String> eventsOf(String domain) {
        return events.stream().filter(e -> e.startsWith(domain + " ")).toList();
    }

    private void awaitEvent(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        while (events.stream().noneMatch(e -> e.startsWith(prefix))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no event starting with '" + prefix + "' in " + events);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void activationAndCapabilitiesNeverRunXl() throws InterruptedException {
        XenHypervisor xen = backend();
        assertEquals("xen", xen.id());
        HypervisorCapabilities capabilities = xen.capabilities();
        assertEquals(Accelerator.XEN, capabilities.accelerator());
        for (Capability c : List.of(Capability.PAUSE, Capability.SNAPSHOT, Capability.PCI_PASSTHROUGH,
                Capability.BLOCK_HOTPLUG, Capability.KERNEL_BOOT, Capability.DISK_BOOT, Capability.NETWORK)) {
            assertTrue(capabilities.supports(c), c.name());
        }
        assertFalse(capabilities.supports(Capability.USB_PASSTHROUGH), "USB goes through sys-usb, not Xen");
        Thread.sleep(400); // a few poll periods: nothing is tracked, so nothing is polled
        assertEquals(List.of(), xl.calls());
    }

    @Test
    void withoutXenOnlyTheStartFailsAndItSaysWhatIsMissing() throws IOException {
        // this machine's own view: no /dev/xen, no xl installed
        XenHypervisor xen = XenHypervisor.create(Map.of("xlPath", "xl-not-installed-here"));
        backends.add(xen);
        DomainSpec work = standalone("work");
        xen.define(work);
        assertEquals(Map.of("work", DomainState.SHUTOFF), xen.domains());
        assertEquals(DomainState.SHUTOFF, xen.state("work"));
        HypervisorException e = assertThrows(HypervisorException.class, () -> xen.start("work"));
        assertTrue(e.getMessage().startsWith("cannot start domain work with the xen backend: xl not found on PATH"),
                e.getMessage());
        assertTrue(e.getMessage().contains("/dev/xen/privcmd missing: not running under Xen dom0"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install xen-system-amd64"), e.getMessage());
        assertTrue(xen.shutdown("work", Duration.ofSeconds(1)));
        xen.kill("work");
        HypervisorException channel = assertThrows(HypervisorException.class, () -> xen.openQrexecChannel("work"));
        assertTrue(channel.getMessage().contains("/dev/xen/privcmd missing: not running under Xen dom0"),
                channel.getMessage());
        assertEquals(List.of(), xl.calls());
    }

    @Test
    void appVmBehindAFirewallGoesThroughItsLifeCycle() throws Exception {
        XenHypervisor xen = backend();
        DomainSpec firewall = netVm("sys-firewall");
        DomainSpec work = appVm("work");
        start(xen, firewall);
        start(xen, work);
        assertEquals(XlConfig.render(work, Specs.defaultSettings(), List.of()), Files.readString(cfg(work)));
        JsonNode config = xl.configOf("work");
        assertEquals("sys-firewall", config.path("nics").path(0).path("backend_domname").asText());
        assertEquals(DomainState.RUNNING, xen.state("work"));

        xen.pause("work");
        assertEquals(DomainState.PAUSED, xen.state("work"));
        xen.unpause("work");
        assertEquals(DomainState.RUNNING, xen.state("work"));
        assertTrue(xen.shutdown("work", Duration.ofSeconds(5)));
        assertEquals(DomainState.SHUTOFF, xen.state("work"));
        xen.kill("sys-firewall");

        assertEquals(List.of("create " + cfg(firewall), "create " + cfg(work), "pause work", "unpause work",
                "shutdown -F work", "destroy sys-firewall"), xl.actions());
        awaitEvent("sys-firewall SHUTOFF");
        assertEquals(List.of("work STARTING booting", "work RUNNING booted (domid 2)", "work PAUSED paused by host",
                "work RUNNING resumed by host", "work SHUTTING_DOWN shutdown requested", "work SHUTOFF shut down by host"),
                eventsOf("work"));
        assertEquals(List.of("sys-firewall STARTING booting", "sys-firewall RUNNING booted (domid 1)",
                "sys-firewall DYING killed by host", "sys-firewall SHUTOFF killed by host"), eventsOf("sys-firewall"));
    }

    @Test
    void startChecksTheNetvmAndReportsWhatXlSays() throws Exception {
        XenHypervisor xen = backend();
        xen.define(appVm("work"));
        HypervisorException netvm = assertThrows(HypervisorException.class, () -> xen.start("work"));
        assertEquals("cannot start domain work: its netvm 'sys-firewall' is not running", netvm.getMessage());

        DomainSpec broken = standalone("broken");
        Files.delete(((DomainSpec.KernelBoot) broken.boot()).kernel());
        xen.define(broken);
        HypervisorException create = assertThrows(HypervisorException.class, () -> xen.start("broken"));
        assertTrue(create.getMessage().contains("`xl create " + cfg(broken) + "` failed with exit status 1"),
                create.getMessage());
        assertTrue(create.getMessage().contains("failed to read kernel"), create.getMessage());
        assertTrue(create.getMessage().contains("/var/log/xen/xl-broken.log"), create.getMessage());
        assertEquals(DomainState.SHUTOFF, xen.state("broken"));
        awaitEvent("broken SHUTOFF");
        assertEquals(List.of("broken STARTING booting", "broken SHUTOFF start failed"), eventsOf("broken"));
        assertEquals(List.of("create " + cfg(broken)), xl.actions());
    }

    @Test
    void guestPowerOffAndCrashAreNoticedByPolling() throws Exception {
        XenHypervisor xen = backend();
        start(xen, standalone("quiet"));
        start(xen, standalone("fragile"));
        xl.powerOff("quiet");
        awaitEvent("quiet SHUTOFF domain ended (guest powered off)");
        xl.setFlags("fragile", "---sc-");
        awaitEvent("fragile CRASHED guest crashed (domid 2, destroyed)");
        assertEquals(DomainState.SHUTOFF, xen.state("fragile"));
        assertTrue(xl.actions().contains("destroy fragile"), "the preserved crashed domain is destroyed: " + xl.actions());
    }

    @Test
    void shutdownIgnoredByTheGuestTimesOutThenKillWorks() throws Exception {
        XenHypervisor xen = backend();
        start(xen, standalone("stubborn"));
        xl.ignoreShutdown("stubborn");
        assertFalse(xen.shutdown("stubborn", Duration.ofMillis(500)));
        assertEquals(DomainState.RUNNING, xen.state("stubborn"));
        xen.kill("stubborn");
        assertEquals(DomainState.SHUTOFF, xen.state("stubborn"));
        awaitEvent("stubborn SHUTOFF killed by host");
        assertEquals(List.of("create " + cfg(standalone("stubborn")), "shutdown -F stubborn", "destroy stubborn"),
                xl.actions());
    }

    @Test
    void snapshotIsXlSaveAndRestoreLeavesThePausedDomain() throws Exception {
        XenHypervisor xen = backend();
        DomainSpec disp = standalone("disp1");
        start(xen, disp);
        Path file = dir.resolve("snapshots/disp1.save");
        xen.saveSnapshot("disp1", file);
        assertTrue(Files.size(file) > 0);
        assertEquals(DomainState.SHUTOFF, xen.state("disp1"));
        xen.restoreSnapshot(disp, file);
        assertEquals(DomainState.PAUSED, xen.state("disp1"));
        xen.unpause("disp1");
        assertEquals(DomainState.RUNNING, xen.state("disp1"));
        assertEquals(List.of("create " + cfg(disp), "save disp1 " + file, "restore -p " + cfg(disp) + " " + file,
                "unpause disp1"), xl.actions());
        awaitEvent("disp1 RUNNING resumed");
        assertEquals(List.of("disp1 STARTING booting", "disp1 RUNNING booted (domid 1)",
                "disp1 SHUTOFF state saved to " + file, "disp1 STARTING restoring from " + file,
                "disp1 PAUSED restored from " + file + " (domid 2)", "disp1 RUNNING resumed by host"), eventsOf("disp1"));

        HypervisorException missing = assertThrows(HypervisorException.class,
                () -> xen.restoreSnapshot(standalone("other"), dir.resolve("none.save")));
        assertTrue(missing.getMessage().contains("none.save does not exist"), missing.getMessage());
    }

    @Test
    void pciDevicesAreHotPluggedIntoHvmAndColdPluggedIntoHaltedQubes() throws Exception {
        XenHypervisor xen = backend();
        start(xen, netVm("sys-net"));
        DeviceSpec nic = new DeviceSpec("pci", "dom0", "00_14.0", Map.of("permissive", "True"));
        xen.attachDevice("sys-net", nic);
        assertEquals(20, xl.configOf("sys-net").path("pcidevs").path(0).path("dev").asInt());
        xen.detachDevice("sys-net", nic);
        HypervisorException notAttached = assertThrows(HypervisorException.class, () -> xen.detachDevice("sys-net", nic));
        assertTrue(notAttached.getMessage().contains("is not attached"), notAttached.getMessage());

        start(xen, standalone("work"));
        HypervisorException pvh = assertThrows(HypervisorException.class, () -> xen.attachDevice("work", nic));
        assertTrue(pvh.getMessage().contains("PVH"), pvh.getMessage());

        DomainSpec usbVm = Specs.materialise(Specs.withoutNetwork(Specs.appVm("sys-usb", files).option("virt_mode", "")
                .memory(400, 0).build()));
        xen.define(usbVm);
        xen.attachDevice("sys-usb", new DeviceSpec("pci", "dom0", "00_0d.0", Map.of()));
        xen.start("sys-usb");
        JsonNode usbConfig = xl.configOf("sys-usb");
        assertEquals("hvm", usbConfig.path("c_info").path("type").asText(), "PCI devices make an unset virt_mode HVM");
        assertEquals(13, usbConfig.path("pcidevs").path(0).path("dev").asInt());

        assertEquals(List.of("create " + cfg(netVm("sys-net")), "pci-attach sys-net 0000:00:14.0,permissive=1",
                "pci-detach sys-net 0000:00:14.0", "create " + cfg(standalone("work")), "create " + cfg(usbVm)),
                xl.actions());
        assertThrows(DomainNotFoundException.class, () -> xen.attachDevice("ghost", nic));
    }

    @Test
    void blockDevicesOfABackendQubeAreAttachedAndDetached() throws Exception {
        XenHypervisor xen = backend();
        start(xen, standalone("sys-usb"));
        start(xen, standalone("work"));
        DeviceSpec stick = new DeviceSpec("block", "sys-usb", "sdb", Map.of("read-only", "True"));
        DeviceSpec disk = new DeviceSpec("block", "sys-usb", "sdc1", Map.of());
        xen.attachDevice("work", stick);
        xen.attachDevice("work", disk);
        xen.detachDevice("work", stick);
        HypervisorException notThere = assertThrows(HypervisorException.class, () -> xen.detachDevice("work", stick));
        assertTrue(notThere.getMessage().contains("block device sys-usb:sdb is not attached to domain work"),
                notThere.getMessage());
        List<String> actions = xl.actions();
        assertEquals(List.of("block-attach work format=raw,vdev=xvdi,access=ro,backend=sys-usb,target=/dev/sdb",
                "block-attach work format=raw,vdev=xvdj,access=rw,backend=sys-usb,target=/dev/sdc1",
                "block-detach work xvdi"), actions.subList(2, actions.size()));
        CapabilityNotSupportedException usb = assertThrows(CapabilityNotSupportedException.class,
                () -> xen.attachDevice("work", new DeviceSpec("usb", "sys-usb", "2-1", Map.of())));
        assertEquals(Capability.USB_PASSTHROUGH, usb.capability());
    }

    @Test
    void domainsOutliveTheBackendAndAreAdoptedByTheNextOne() throws Exception {
        XenHypervisor first = backend();
        start(first, standalone("work"));
        first.close();
        assertEquals(List.of("create " + cfg(standalone("work"))), xl.actions(), "closing destroys nothing");

        XenHypervisor second = backend();
        assertEquals(Map.of("work", DomainState.RUNNING), second.domains());
        assertEquals(DomainState.RUNNING, second.state("work"));
        xl.powerOff("work");
        awaitEvent("work SHUTOFF domain ended (guest powered off)");
    }

    @Test
    void definitionsFollowTheRules() throws Exception {
        XenHypervisor xen = backend();
        DomainSpec work = standalone("work");
        start(xen, work);
        HypervisorException again = assertThrows(HypervisorException.class, () -> xen.start("work"));
        assertTrue(again.getMessage().contains("it is already RUNNING under Xen (domid 1)"), again.getMessage());
        HypervisorException redefine = assertThrows(HypervisorException.class, () -> xen.define(work));
        assertTrue(redefine.getMessage().contains("cannot redefine domain work: it is RUNNING"), redefine.getMessage());
        assertThrows(HypervisorException.class, () -> xen.undefine("work"));
        xen.kill("work");
        assertTrue(Files.exists(cfg(work)));
        xen.undefine("work");
        assertFalse(Files.exists(cfg(work)), "the generated xl.cfg belongs to the backend");
        assertEquals(Map.of(), xen.domains());
        assertThrows(DomainNotFoundException.class, () -> xen.start("work"));

        DomainSpec hostile = new DomainSpec("1234", work.uuid(), 400, 0, 1, work.boot(), work.volumes(), List.of(),
                false, work.channels(), work.runDirectory(), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> xen.define(hostile));
        assertTrue(e.getMessage().contains("domain name '1234' is not a valid qube name"), e.getMessage());
        assertTrue(xl.calls().stream().noneMatch(c -> c.argv().contains("1234") || c.argv().contains("-a")
                || c.argv().contains("0")), "an all-digit name is a domid to xl, a leading '-' an option");
        assertEquals(DomainState.SHUTOFF, xen.state("-a"));
        IllegalArgumentException option = assertThrows(IllegalArgumentException.class, () -> xen.kill("-a"));
        assertTrue(option.getMessage().contains("domain name '-a' is not a valid qube name"), option.getMessage());
        assertThrows(IllegalArgumentException.class, () -> xen.pause("0"));
        int calls = xl.calls().size();
        DomainSpec badPath = Specs.withoutNetwork(Specs.appVm("other", files).volume(io.bulkhead.core.domains.hal.VolumeSpec
                .of("data", Path.of("/pool/x\"]\ndisk = [\"/etc/shadow"), io.bulkhead.core.domains.hal.DiskFormat.RAW,
                        false)).build());
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class, () -> xen.define(badPath));
        assertTrue(path.getMessage().contains("volume 'data' of domain other") && path.getMessage().contains("U+000A"),
                path.getMessage());
        assertEquals(calls, xl.calls().size(), "bad specs fail before any xl call");
    }

    @Test
    void channelsAreVchansOpenedWithLibxenvchan() throws Exception {
        XenHypervisor xen = backend();
        start(xen, standalone("work"));
        IOException qrexec = assertThrows(IOException.class, () -> xen.openQrexecChannel("work"));
        assertTrue(qrexec.getMessage().contains("libxenvchan_client_init(1, \"/local/domain/1/data/vchan/0/512\") failed"),
                qrexec.getMessage());
        IOException qubesdb = assertThrows(IOException.class, () -> xen.openChannel("work", "qubesdb"));
        assertTrue(qubesdb.getMessage().contains("libxenvchan_server_init(1, \"data/vchan/1/111\") failed"),
                qubesdb.getMessage());
        HypervisorException unknown = assertThrows(HypervisorException.class, () -> xen.openChannel("work", "gui"));
        assertTrue(unknown.getMessage().contains("no vchan for channel 'gui'"), unknown.getMessage());

        DomainSpec plain = new DomainSpec("plain", Specs.WORK_UUID, 400, 0, 1, new DomainSpec.DiskBoot(), List.of(),
                List.of(), false, List.of(new io.bulkhead.core.domains.hal.ChannelSpec("qrexec")), dir.resolve("plain"),
                Map.of("virt_mode", "hvm"));
        xen.define(plain);
        HypervisorException undeclared = assertThrows(HypervisorException.class, () -> xen.openChannel("plain", "qubesdb"));
        assertTrue(undeclared.getMessage().contains("has no channel 'qubesdb' (it has: qrexec)"), undeclared.getMessage());
        HypervisorException halted = assertThrows(HypervisorException.class, () -> xen.openQrexecChannel("plain"));
        assertTrue(halted.getMessage().contains("domain plain is not running"), halted.getMessage());

        XenHypervisor noLibrary = backend(Map.of("vchanLibrary", "no-such-vchan"));
        HypervisorException missing = assertThrows(HypervisorException.class, () -> noLibrary.openQrexecChannel("work"));
        assertTrue(missing.getMessage().contains("libxenvchan not found (JNA library 'no-such-vchan'"), missing.getMessage());
    }

    @Test
    void configurationChoicesTakeEffect() throws Exception {
        Path configs = dir.resolve("configs");
        XenHypervisor xen = backend(Map.of("runDirectory", configs.toString(), "vifScript", "vif-route-custom"));
        start(xen, netVm("sys-firewall"));
        start(xen, appVm("work"));
        assertTrue(Files.readString(configs.resolve("work.cfg")).contains("script=vif-route-custom"));
        Files.createDirectories(dir.resolve("console"));
        Files.writeString(dir.resolve("console/guest-work.log"), "login:");
        assertEquals(Optional.of(dir.resolve("console/guest-work.log")), xen.consoleLog("work"));
        assertEquals(Optional.empty(), xen.consoleLog("sys-firewall"));
    }

    @Test
    void badConfigurationIsRefusedAtActivation() {
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> XenHypervisor.create(Map.of("defaultVirtMode", "kvm")));
        assertTrue(mode.getMessage().contains("defaultVirtMode must be pvh, hvm or pv, not 'kvm'"), mode.getMessage());
        IllegalArgumentException numbers = assertThrows(IllegalArgumentException.class,
                () -> XenHypervisor.create(Map.of("pollIntervalMillis", 0, "runDirectory", "relative")));
        assertTrue(numbers.getMessage().contains("pollIntervalMillis must be > 0")
                && numbers.getMessage().contains("runDirectory must be empty or an absolute path"), numbers.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> XenHypervisor.create(Map.of("xlBinary", "xl")));
        assertTrue(key.getMessage().contains("unknown configuration key 'xlBinary'"), key.getMessage());
    }

    @Test
    void afterCloseEverythingIsRefused() throws IOException {
        XenHypervisor xen = backend();
        xen.close();
        HypervisorException e = assertThrows(HypervisorException.class, () -> xen.define(standalone("work")));
        assertTrue(e.getMessage().contains("deactivated"), e.getMessage());
        xen.close();
    }
}
