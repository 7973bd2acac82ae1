package io.bulkhead.core.domains.internal;

import static io.bulkhead.core.domains.internal.TestSupport.standardQubes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.Label;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.PropertyType;
import io.bulkhead.core.domains.PropertyValue;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubesFeatureNotFoundError;
import io.bulkhead.core.domains.QubesLabelInUseError;
import io.bulkhead.core.domains.QubesLabelNotFoundError;
import io.bulkhead.core.domains.QubesNoSuchPropertyError;
import io.bulkhead.core.domains.QubesPropertyAccessError;
import io.bulkhead.core.domains.QubesPropertyValueError;
import io.bulkhead.core.domains.QubesTagNotFoundError;
import io.bulkhead.core.domains.QubesVMInUseError;
import io.bulkhead.core.domains.QubesVMNotFoundError;
import io.bulkhead.core.domains.QubesValueError;
import io.bulkhead.core.domains.device.AssignmentMode;
import io.bulkhead.core.domains.device.DeviceAssignment;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBehaviourTest {

    @TempDir
    Path dir;
    DomainsServiceImpl s;

    @BeforeEach
    void open() {
        s = TestSupport.open(dir);
    }

    @AfterEach
    void close() {
        s.close();
    }

    private String value(String qube, String prop) {
        return s.getProperty(qube, prop).value();
    }

    @Test
    void freshStoreHasDom0LabelsAndPools() {
        QubeInfo dom0 = s.get("dom0");
        assertEquals(0, dom0.qid());
        assertEquals(QubeClass.ADMIN_VM, dom0.klass());
        assertEquals("black", dom0.label());
        assertEquals("00000000-0000-0000-0000-000000000000", dom0.uuid().toString());
        assertEquals(PowerState.RUNNING, dom0.powerState());
        assertEquals(List.of("red", "orange", "yellow", "green", "gray", "blue", "purple", "black"),
                s.labels().stream().map(Label::name).toList());
        assertEquals("0xcc0000", s.label("red").color());
        assertEquals(List.of("varlibqubes", "linux-kernel"), s.pools());
        assertEquals("linux-kernel", s.getGlobalProperty("default_pool_kernel").value());
        assertEquals("varlibqubes", s.getGlobalProperty("default_pool").value());
        assertTrue(s.getGlobalProperty("default_pool").isDefault());
    }

    @Test
    void memoryVcpusAndTimeoutsFollowTemplateThenGlobalThenConstant() {
        standardQubes(s);
        assertEquals("400", value("work", "memory"));
        assertTrue(s.getProperty("work", "memory").isDefault());
        s.setProperty("fedora", "memory", "1024");
        assertEquals("1024", value("work", "memory"));
        assertTrue(s.getProperty("work", "memory").isDefault());
        s.setProperty("work", "memory", "2048");
        assertEquals("2048", value("work", "memory"));
        assertFalse(s.getProperty("work", "memory").isDefault());
        assertEquals("1024", s.getPropertyDefault("work", "memory").orElseThrow().value());
        s.resetProperty("work", "memory");
        assertEquals("1024", value("work", "memory"));

        assertEquals("2", value("work", "vcpus"));
        s.setProperty("fedora", "vcpus", "4");
        assertEquals("4", value("work", "vcpus"));

        assertEquals("60", value("work", "qrexec_timeout"));
        s.setGlobalProperty("default_qrexec_timeout", "90");
        assertEquals("90", value("fedora", "qrexec_timeout"));
        assertEquals("90", value("work", "qrexec_timeout"));
        s.setProperty("fedora", "qrexec_timeout", "30");
        assertEquals("30", value("work", "qrexec_timeout"), "template's value wins over the global one");
        assertEquals("user", value("work", "default_user"));
    }

    @Test
    void kernelFollowsGlobalDefaultAndMustExist() throws Exception {
        standardQubes(s);
        assertEquals("", value("work", "kernel"));
        QubesPropertyValueError e = assertThrows(QubesPropertyValueError.class,
                () -> s.setGlobalProperty("default_kernel", "6.1.0"));
        assertTrue(e.getMessage().contains("6.1.0"), e.getMessage());
        TestSupport.installKernel(dir, "6.1.0");
        s.setGlobalProperty("default_kernel", "6.1.0");
        assertEquals("6.1.0", value("work", "kernel"));
        assertThrows(QubesPropertyValueError.class, () -> s.setProperty("work", "kernel", "../x"));
        assertEquals("swiotlb=2048", value("work", "kernelopts"));
    }

    @Test
    void netvmDefaultsFollowGlobalAndTemplatesHaveNone() {
        standardQubes(s);
        assertEquals("sys-firewall", value("work", "netvm"));
        assertTrue(s.getProperty("work", "netvm").isDefault());
        assertEquals("", value("fedora", "netvm"));
        s.create(QubeClass.APP_VM, "vpn", "purple", Map.of("provides_network", "True"));
        s.setGlobalProperty("default_netvm", "sys-net");
        assertEquals("sys-net", value("work", "netvm"));
        assertEquals("sys-net", value("vpn", "netvm"));
        s.resetGlobalProperty("default_netvm");
        assertEquals("", value("work", "netvm"));
        assertEquals(PropertyType.VM, s.getProperty("work", "netvm").type());
    }

    @Test
    void netvmMustProvideNetworkAndNoLoops() {
        standardQubes(s);
        QubesPropertyValueError notProvider = assertThrows(QubesPropertyValueError.class,
                () -> s.setProperty("sys-net", "netvm", "work"));
        assertTrue(notProvider.getMessage().contains("does not provide network"), notProvider.getMessage());
        QubesPropertyValueError self = assertThrows(QubesPropertyValueError.class,
                () -> s.setProperty("sys-net", "netvm", "sys-net"));
        assertTrue(self.getMessage().contains("loop"), self.getMessage());
        QubesPropertyValueError loop = assertThrows(QubesPropertyValueError.class,
                () -> s.setProperty("sys-net", "netvm", "sys-firewall"));
        assertTrue(loop.getMessage().contains("sys-net -> sys-firewall -> sys-net"), loop.getMessage());
        QubesPropertyValueError missing = assertThrows(QubesPropertyValueError.class,
                () -> s.setProperty("work", "netvm", "nosuch"));
        assertTrue(missing.getMessage().contains("non-existing qube 'nosuch'"), missing.getMessage());
        assertEquals("", value("sys-net", "netvm"), "failed sets leave the value unchanged");
    }

    @Test
    void defaultNetvmThatWouldLoopIsRefused() {
        standardQubes(s);
        s.create(QubeClass.APP_VM, "sys-vpn", "purple", Map.of("provides_network", "True"));
        // sys-vpn follows the default netvm: making it the default would make it its own netvm
        QubesPropertyValueError e = assertThrows(QubesPropertyValueError.class,
                () -> s.setGlobalProperty("default_netvm", "sys-vpn"));
        assertTrue(e.getMessage().contains("sys-vpn"), e.getMessage());
        assertEquals("sys-firewall", s.getGlobalProperty("default_netvm").value());
    }

    @Test
    void providesNetworkCannotBeDroppedWhileUsed() {
        standardQubes(s);
        QubesVMInUseError e = assertThrows(QubesVMInUseError.class,
                () -> s.setProperty("sys-firewall", "provides_network", "False"));
        assertTrue(e.getMessage().contains("work"), e.getMessage());
        assertEquals("1", s.feature("sys-firewall", "servicevm"));
        assertEquals("servicevm-green", value("sys-firewall", "icon"));
    }

    @Test
    void templateMustBeTemplateVmAndCannotBeReset() {
        standardQubes(s);
        QubesPropertyValueError e = assertThrows(QubesPropertyValueError.class,
                () -> s.setProperty("work", "template", "sys-net"));
        assertTrue(e.getMessage().contains("must be a TemplateVM"), e.getMessage());
        assertThrows(QubesPropertyValueError.class, () -> s.resetProperty("work", "template"));
        assertThrows(QubesPropertyValueError.class, () -> s.create(QubeClass.APP_VM, "bad", "red", Map.of("template", "work")));
        assertTrue(s.find("bad").isEmpty(), "failed create leaves nothing behind");
        assertThrows(QubesNoSuchPropertyError.class, () -> s.getProperty("fedora", "template"));
    }

    @Test
    void writeOnceAndReadOnlyProperties() {
        standardQubes(s);
        QubesPropertyAccessError name = assertThrows(QubesPropertyAccessError.class, () -> s.setProperty("work", "name", "job"));
        assertTrue(name.getMessage().contains("write-once"), name.getMessage());
        assertThrows(QubesPropertyAccessError.class, () -> s.setProperty("work", "qid", "77"));
        assertThrows(QubesPropertyAccessError.class, () -> s.setProperty("work", "uuid", "x"));
        assertThrows(QubesPropertyAccessError.class, () -> s.setProperty("work", "klass", "TemplateVM"));
        assertThrows(QubesPropertyAccessError.class, () -> s.resetProperty("work", "name"));
        assertEquals("AppVM", value("work", "klass"));
        s.setProperty("work", "template_for_dispvms", "True");
        QubeInfo disp = s.createDisposable("work");
        assertThrows(QubesPropertyAccessError.class, () -> s.setProperty(disp.name(), "dispid", "5"));
        assertEquals("disp" + value(disp.name(), "dispid"), disp.name());
        assertEquals("True", value(disp.name(), "auto_cleanup"));
        assertEquals("False", value(disp.name(), "include_in_backups"));
    }

    @Test
    void valuesAreParsedByType() {
        standardQubes(s);
        s.setProperty("work", "autostart", "yes");
        assertEquals("True", value("work", "autostart"));
        s.setProperty("work", "autostart", "OFF");
        assertEquals("False", value("work", "autostart"));
        QubesPropertyValueError bool = assertThrows(QubesPropertyValueError.class, () -> s.setProperty("work", "debug", "maybe"));
        assertTrue(bool.getMessage().contains("maybe"), bool.getMessage());
        assertThrows(QubesPropertyValueError.class, () -> s.setProperty("work", "memory", "lots"));
        assertThrows(QubesPropertyValueError.class, () -> s.setProperty("work", "memory", "0"));
        assertThrows(QubesPropertyValueError.class, () -> s.setProperty("work", "maxmem", "-1"));
        s.setProperty("work", "label", "label-1");
        assertEquals("red", value("work", "label"));
        s.setProperty("work", "label", "6");
        assertEquals("blue", value("work", "label"));
        assertThrows(QubesLabelNotFoundError.class, () -> s.setProperty("work", "label", "pink"));
        s.setProperty("work", "virt_mode", "HVM");
        assertEquals("hvm", value("work", "virt_mode"));
        assertThrows(QubesPropertyValueError.class, () -> s.setProperty("work", "virt_mode", "fast"));
        assertThrows(QubesValueError.class, () -> s.setProperty("work", "kernelopts", "a\u0001b"));
        assertThrows(QubesNoSuchPropertyError.class, () -> s.setProperty("work", "colour", "x"));
        assertThrows(QubesVMNotFoundError.class, () -> s.getProperty("nobody", "memory"));
    }

    @Test
    void ipAssignmentFollowsQidDispidAndNetworking() {
        standardQubes(s);
        int qid = s.get("work").qid();
        assertEquals("10.137.0." + qid, value("work", "ip"));
        assertEquals("10.139.1.1 10.139.1.2", value("work", "dns"));
        assertEquals("", value("fedora", "ip"), "templates are not networked");
        assertEquals("", value("fedora", "dns"));
        String fw = value("sys-firewall", "ip");
        assertEquals(fw, value("sys-firewall", "gateway"));
        assertEquals(fw, value("work", "visible_gateway"));
        assertEquals("255.255.255.255", value("work", "visible_netmask"));
        assertEquals("", value("work", "gateway"));
        s.setFeature("work", "net.fake-ip", "192.168.1.2");
        assertEquals("192.168.1.2", value("work", "visible_ip"));
        assertEquals("10.137.0." + qid, value("work", "ip"));
        s.setProperty("work", "netvm", "");
        assertEquals("", value("work", "ip"));
        s.setProperty("work", "ip", "10.1.2.3");
        assertEquals("10.1.2.3", value("work", "ip"));
        assertThrows(QubesPropertyValueError.class, () -> s.setProperty("work", "ip", "10.1.2"));

        s.setProperty("work", "template_for_dispvms", "True");
        QubeInfo disp = s.createDisposable("work");
        int dispid = Integer.parseInt(value(disp.name(), "dispid"));
        assertEquals(io.bulkhead.core.domains.internal.model.Network.vmidToIpv4("10.138", dispid), value(disp.name(), "ip"));
        assertEquals("work", value(disp.name(), "default_dispvm"), "a DispVM's default_dispvm is its template");

        assertEquals("", value("work", "ip6"));
        s.setFeature("sys-net", "ipv6", "1");
        assertEquals("fd09:24ef:4179::a89:" + Integer.toHexString(s.get("sys-firewall").qid()), value("sys-firewall", "ip6"));
    }

    @Test
    void removalInUseListsEveryUserAndRefuses() {
        standardQubes(s);
        s.create(QubeClass.APP_VM, "mail", "yellow", Map.of("netvm", "sys-firewall"));
        QubesVMInUseError e = assertThrows(QubesVMInUseError.class, () -> s.remove("sys-firewall"));
        assertTrue(e.getMessage().contains("global property default_netvm"), e.getMessage());
        assertTrue(e.getMessage().contains("qube 'mail' (netvm)"), e.getMessage());
        assertFalse(e.getMessage().contains("'work'"), "work only uses the default: " + e.getMessage());
        QubesVMInUseError t = assertThrows(QubesVMInUseError.class, () -> s.remove("fedora"));
        for (String user : List.of("global property default_template", "'sys-net' (template)", "'sys-firewall' (template)",
                "'work' (template)", "'mail' (template)")) {
            assertTrue(t.getMessage().contains(user), user + " missing in: " + t.getMessage());
        }
        assertThrows(QubesVMInUseError.class, () -> s.remove("dom0"));
        s.remove("mail");
        assertTrue(s.find("mail").isEmpty());
        assertThrows(QubesVMNotFoundError.class, () -> s.remove("mail"));
    }

    @Test
    void templateForDispvmsCannotBeDroppedWhileUsed() {
        standardQubes(s);
        s.setProperty("work", "template_for_dispvms", "True");
        s.setGlobalProperty("default_dispvm", "work");
        QubesVMInUseError e = assertThrows(QubesVMInUseError.class, () -> s.setProperty("work", "template_for_dispvms", "False"));
        assertTrue(e.getMessage().contains("global property default_dispvm"), e.getMessage());
        assertThrows(QubesPropertyValueError.class, () -> s.setGlobalProperty("default_dispvm", "sys-net"));
        assertThrows(io.bulkhead.core.domains.QubesException.class, () -> s.createDisposable("sys-net"));
    }

    @Test
    void featuresTruthInheritanceAndValidation() {
        standardQubes(s);
        s.setFeature("fedora", "qrexec", "1");
        s.setFeature("work", "service.cups", "");
        assertEquals("", s.feature("work", "service.cups"));
        assertFalse(s.get("work").featureEnabled("service.cups"));
        s.setFeature("work", "zero", "0");
        assertTrue(s.get("work").featureEnabled("zero"), "'0' is a non-empty string, hence true");
        assertEquals("1", s.featureCheckWithTemplate("work", "qrexec"));
        assertThrows(QubesFeatureNotFoundError.class, () -> s.feature("work", "qrexec"));
        s.setFeature("dom0", "gui-default-color", "x");
        assertEquals("x", s.featureCheckWithAdminVM("work", "gui-default-color"));
        assertEquals("x", s.featureCheckWithTemplateAndAdminVM("work", "gui-default-color"));
        s.setFeature("sys-net", "ipv6", "1");
        assertEquals("1", s.featureCheckWithNetvm("work", "ipv6"));
        assertThrows(QubesValueError.class, () -> s.setFeature("work", "bad name", "1"));
        assertThrows(QubesValueError.class, () -> s.setFeature("work", "ok", "tab\tinside"));
        s.removeFeature("work", "zero");
        assertThrows(QubesFeatureNotFoundError.class, () -> s.removeFeature("work", "zero"));
    }

    @Test
    void tagsAndLabels() {
        standardQubes(s);
        s.addTag("work", "created-by-dom0");
        s.addTag("work", "created-by-dom0");
        assertEquals(java.util.Set.of("created-by-dom0"), s.tags("work"));
        assertThrows(QubesValueError.class, () -> s.addTag("work", "a:b"));
        assertThrows(QubesTagNotFoundError.class, () -> s.removeTag("work", "nope"));
        Label pink = s.createLabel("pink", "0xff00ff");
        assertEquals(9, pink.index());
        s.setProperty("work", "label", "pink");
        assertThrows(QubesLabelInUseError.class, () -> s.removeLabel("pink"));
        assertThrows(QubesLabelInUseError.class, () -> s.removeLabel("red"));
        assertThrows(QubesValueError.class, () -> s.createLabel("bad", "red"));
        s.setProperty("work", "label", "red");
        s.removeLabel("pink");
        assertThrows(QubesLabelNotFoundError.class, () -> s.label("pink"));
    }

    @Test
    void nameRulesAndUniquenessAtCreation() {
        standardQubes(s);
        QubesValueError dup = assertThrows(QubesValueError.class, () -> s.create(QubeClass.APP_VM, "work", "red", Map.of()));
        assertTrue(dup.getMessage().contains("already exists"), dup.getMessage());
        assertThrows(QubesValueError.class, () -> s.create(QubeClass.APP_VM, "foo-dm", "red", Map.of()));
        assertThrows(QubesValueError.class, () -> s.create(QubeClass.ADMIN_VM, "dom1", "red", Map.of()));
        assertThrows(QubesValueError.class, () -> s.create(QubeClass.APP_VM, "nolabel", "", Map.of()));
        s.remove("work");
        QubeInfo again = s.create(QubeClass.APP_VM, "again", "red", Map.of());
        assertEquals(4, again.qid(), "lowest unused qid is reused");
    }

    @Test
    void volumesFollowQubesLayout() {
        standardQubes(s);
        VolumeConfig troot = s.volumeInfo("fedora", "root").config();
        assertTrue(troot.saveOnStop() && !troot.snapOnStart());
        VolumeConfig root = s.volumeInfo("work", "root").config();
        assertTrue(root.snapOnStart() && !root.saveOnStop());
        assertEquals(troot.vid(), root.source().orElseThrow());
        VolumeConfig priv = s.volumeInfo("work", "private").config();
        assertTrue(priv.saveOnStop());
        assertEquals(2L << 30, priv.size());
        assertTrue(s.volumeInfo("work", "volatile").config().isVolatile());
        assertEquals(List.of("root", "private", "volatile", "kernel"), s.volumeNames("work"));
        assertTrue(java.nio.file.Files.exists(Path.of(s.volumeInfo("work", "private").path().orElseThrow())));

        s.create(QubeClass.TEMPLATE_VM, "debian", "gray", Map.of());
        s.setProperty("work", "template", "debian");
        assertEquals(s.volumeInfo("debian", "root").config().vid(), s.volumeInfo("work", "root").config().source().orElseThrow());

        s.setProperty("work", "template_for_dispvms", "True");
        QubeInfo disp = s.createDisposable("work");
        assertEquals(s.volumeInfo("debian", "root").config().vid(), s.volumeInfo(disp.name(), "root").config().source().orElseThrow());
        assertEquals(priv.vid(), s.volumeInfo(disp.name(), "private").config().source().orElseThrow());
        assertEquals(12L << 30, s.volumeInfo(disp.name(), "volatile").config().size());

        s.resizeVolume("work", "private", 3L << 30);
        assertEquals(3L << 30, s.volumeInfo("work", "private").config().size());
        assertThrows(QubesValueError.class, () -> s.resizeVolume("work", "private", 1L << 30));
        String privPath = s.volumeInfo("work", "private").path().orElseThrow();
        s.remove(disp.name());
        s.setProperty("work", "template_for_dispvms", "False");
        s.remove("work");
        assertFalse(java.nio.file.Files.exists(Path.of(privPath)), "removal deletes the volumes");
    }

    @Test
    void stateSurvivesReopenWithDefaultsStillComputed() {
        standardQubes(s);
        s.setProperty("work", "memory", "777");
        s.setFeature("work", "f", "v");
        s.addTag("work", "t");
        s.assignDevice("work", new DeviceAssignment("pci", "sys-net", "00_14.0", "0x8086:0xa0ed", AssignmentMode.REQUIRED,
                Map.of("no-strict-reset", "True")));
        s.close();
        s = TestSupport.open(dir);
        assertEquals("777", value("work", "memory"));
        assertEquals("v", s.feature("work", "f"));
        assertEquals(java.util.Set.of("t"), s.tags("work"));
        assertEquals("sys-firewall", value("work", "netvm"));
        assertTrue(s.getProperty("work", "netvm").isDefault(), "defaults are not frozen into the store");
        s.setGlobalProperty("default_netvm", "sys-net");
        assertEquals("sys-net", value("work", "netvm"));
        List<DeviceAssignment> pci = s.deviceAssignments("work", "pci");
        assertEquals(1, pci.size());
        assertEquals("True", pci.get(0).options().get("no-strict-reset"));
        QubesVMInUseError e = assertThrows(QubesVMInUseError.class, () -> {
            s.resetGlobalProperty("default_netvm");
            s.remove("sys-net");
        });
        assertTrue(e.getMessage().contains("pci device 00_14.0"), e.getMessage());
        assertEquals("0", value("work", "maxmem"), "no balancing without a hypervisor that supports it");
    }

    @Test
    void poolsCanBeAddedAndRemovedUnlessUsed() throws Exception {
        standardQubes(s);
        assertTrue(s.poolDrivers().get("file").contains("dir_path"));
        Path other = java.nio.file.Files.createDirectories(dir.resolve("other-pool"));
        s.addPool("fast", "file", Map.of("dir_path", other.toString(), "revisions_to_keep", "3"));
        assertEquals("3", s.poolInfo("fast").get("revisions_to_keep"));
        assertEquals("file", s.poolInfo("fast").get("driver"));
        assertThrows(QubesValueError.class, () -> s.addPool("fast", "file", Map.of("dir_path", other.toString())));
        assertThrows(QubesValueError.class, () -> s.addPool("x", "zfs", Map.of()));
        assertThrows(io.bulkhead.core.domains.StoragePoolException.class,
                () -> s.addPool("bad", "file", Map.of("dir_path", "relative/dir")));
        assertFalse(s.pools().contains("bad"), "a pool its driver rejects is not kept");
        s.setGlobalProperty("default_pool_private", "fast");
        s.create(QubeClass.APP_VM, "fastwork", "red", Map.of());
        assertEquals("fast", s.volumeInfo("fastwork", "private").config().pool());
        io.bulkhead.core.domains.QubesPoolInUseError e = assertThrows(io.bulkhead.core.domains.QubesPoolInUseError.class,
                () -> s.removePool("fast"));
        assertTrue(e.getMessage().contains("default_pool_private") && e.getMessage().contains("fastwork"), e.getMessage());
        s.remove("fastwork");
        s.resetGlobalProperty("default_pool_private");
        s.removePool("fast");
        assertFalse(s.pools().contains("fast"));
    }

    @Test
    void concurrentCallersAreSerialisedAndAllPersisted() throws Exception {
        standardQubes(s);
        int threads = 4;
        int perThread = 25;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    s.setFeature("work", "t" + id + "-" + i, Integer.toString(i));
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        s.close();
        s = TestSupport.open(dir);
        assertEquals(threads * perThread, s.features("work").keySet().stream().filter(k -> k.startsWith("t")).count());
    }

    @Test
    void pciDevicesForceHvmAndDisableBalancing() {
        standardQubes(s);
        s.assignDevice("sys-net", new DeviceAssignment("pci", "dom0", "00_14.0", "*", AssignmentMode.REQUIRED, Map.of()));
        assertEquals("hvm", value("sys-net", "virt_mode"));
        assertThrows(QubesPropertyValueError.class, () -> s.setProperty("sys-net", "virt_mode", "pvh"));
        assertThrows(io.bulkhead.core.domains.DeviceAlreadyAssigned.class, () -> s.assignDevice("sys-net",
                new DeviceAssignment("pci", "dom0", "00_14.0", "*", AssignmentMode.AUTO_ATTACH, Map.of())));
        s.unassignDevice("sys-net", "pci", "dom0", "00_14.0");
        assertThrows(io.bulkhead.core.domains.DeviceNotAssigned.class, () -> s.unassignDevice("sys-net", "pci", "dom0", "00_14.0"));
        assertEquals("pvh", value("sys-net", "virt_mode"));
    }

    @Test
    void globalPropertiesListAndValidation() {
        assertTrue(s.globalPropertyNames().containsAll(List.of("default_template", "default_netvm", "default_dispvm",
                "clockvm", "updatevm", "default_pool", "default_qrexec_timeout", "default_shutdown_timeout", "maxmem")));
        assertTrue(s.getGlobalPropertyDefault("default_template").isEmpty(), "default_template has no default");
        PropertyValue guivm = s.getGlobalProperty("default_guivm");
        assertEquals("dom0", guivm.value());
        assertTrue(guivm.isDefault());
        assertThrows(QubesPropertyAccessError.class, () -> s.setGlobalProperty("maxmem", "5"));
        assertThrows(QubesPropertyValueError.class, () -> s.setGlobalProperty("default_pool", "nosuch"));
        standardQubes(s);
        assertThrows(QubesPropertyValueError.class, () -> s.setGlobalProperty("default_template", "work"));
        s.setGlobalProperty("clockvm", "sys-net");
        assertEquals("1", s.feature("sys-net", "service.clocksync"));
        s.setGlobalProperty("clockvm", "sys-firewall");
        assertThrows(QubesFeatureNotFoundError.class, () -> s.feature("sys-net", "service.clocksync"));
        assertTrue(s.propertyNames("work").contains("template"));
        assertFalse(s.propertyNames("fedora").contains("template"));
        assertFalse(s.propertyHelp("work", "netvm").isEmpty());
    }

    @Test
    void allPropertiesAtOnceMatchOneByOne() {
        TestSupport.standardQubes(s);
        for (String qube : List.of("dom0", "work", "fedora", "sys-net")) {
            List<io.bulkhead.core.domains.PropertyValue> oneByOne = s.propertyNames(qube).stream()
                    .sorted().map(name -> s.getProperty(qube, name)).toList();
            assertEquals(oneByOne, s.getProperties(qube), qube);
        }
    }
}
