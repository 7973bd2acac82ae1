package io.bulkhead.qvm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.Fixtures;
import io.bulkhead.qvm.testing.ToolRun;

/** qvm-create, qvm-remove and qvm-clone. */
@Timeout(20)
class LifecycleTest {
    private FakeQubesd qubesd;

    @BeforeEach
    void start() throws IOException {
        qubesd = Fixtures.standard(new FakeQubesd()).ok("admin.label.List", "dom0", "red\norange\nblue\nblack\n");
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    private List<String> callsBut(String... skipped) {
        return qubesd.calls().stream().filter(call -> List.of(skipped).stream().noneMatch(call::startsWith)).toList();
    }

    @Test
    void createSendsClassTemplateNameAndLabelThenProperties() {
        qubesd.ok("admin.vm.Create.AppVM", "debian-12", "dom0", "")
                .ok("admin.vm.property.Set", "memory", "mail", "").ok("admin.vm.property.Set", "netvm", "mail", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-create", "-t", "debian-12", "-l", "red", "--prop", "memory=800", "--property",
                "netvm=", "mail");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("admin.label.List+ dom0", "admin.vm.Create.AppVM+debian-12 dom0 name=mail label=red",
                "admin.vm.property.Set+memory mail 800", "admin.vm.property.Set+netvm mail"), qubesd.calls());
    }

    @Test
    void createInPoolAndDisposableShortcut() {
        qubesd.ok("admin.vm.CreateInPool.DispVM", "", "dom0", "").ok("admin.vm.CreateInPool.StandaloneVM", "", "dom0", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-create", "--disp", "-p", "private=fast", "-p", "root=big", "d1").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-create", "--standalone", "-l", "blue", "-P", "fast", "sa").code());
        assertEquals(List.of("admin.vm.CreateInPool.DispVM+ dom0 name=d1 label=red pool:private=fast pool:root=big",
                "admin.vm.CreateInPool.StandaloneVM+ dom0 name=sa label=blue pool=fast"), callsBut("admin.label.List"));
    }

    @Test
    void createUsageErrors() {
        assertEquals("qvm-create: error: --label option is mandatory", ToolRun.run(qubesd, "qvm-create", "x").lastErrLine());
        assertEquals("qvm-create: error: VMNAME is mandatory", ToolRun.run(qubesd, "qvm-create", "-l", "red").lastErrLine());
        ToolRun label = ToolRun.run(qubesd, "qvm-create", "-l", "pink", "x");
        assertEquals(2, label.code());
        assertEquals("qvm-create: error: no such label: 'pink'; available: red, orange, blue, black", label.lastErrLine());
        assertEquals("qvm-create: error: Pool argument must be of form: -p volume_name=pool_name",
                ToolRun.run(qubesd, "qvm-create", "-l", "red", "-p", "fast", "x").lastErrLine());
    }

    @Test
    void createFailureAndPropertyFailureExitCodes() {
        qubesd.on("admin.vm.Create.AppVM", "", "dom0", FakeQubesd.error("QubesValueError", "VM name already exists"));
        ToolRun failed = ToolRun.run(qubesd, "qvm-create", "-l", "red", "work");
        assertEquals(1, failed.code());
        assertEquals("app: Error creating VM: VM name already exists\n", failed.err());

        qubesd.ok("admin.vm.Create.AppVM", "", "dom0", "")
                .on("admin.vm.property.Set", "vcpus", "new", FakeQubesd.error("QubesPropertyValueError", "vcpus must be positive"));
        ToolRun property = ToolRun.run(qubesd, "qvm-create", "-l", "red", "--prop", "vcpus=0", "new");
        assertEquals(2, property.code());
        assertEquals("app: Error setting property vcpus (but VM created): vcpus must be positive\n", property.err());
    }

    @Test
    void createHelpClassesAndUnsupportedRootImport() {
        qubesd.ok("admin.vmclass.List", "dom0", "AdminVM\nAppVM\nDispVM\nStandaloneVM\nTemplateVM\n");
        assertEquals("AdminVM\nAppVM\nDispVM\nStandaloneVM\nTemplateVM\n", ToolRun.run(qubesd, "qvm-create", "--help-classes").out());
        ToolRun root = ToolRun.run(qubesd, "qvm-create", "-l", "red", "--class", "TemplateVM", "-r", "/tmp/root.img", "t");
        assertEquals(1, root.code());
        assertTrue(root.err().contains("not supported by Bulkhead yet"), root.err());
    }

    @Test
    void removeAsksForConfirmation() {
        qubesd.ok("admin.vm.Remove", "work", "");
        ToolRun declined = ToolRun.withInput(qubesd, "n\n", "qvm-remove", "work");
        assertEquals(1, declined.code());
        assertEquals("  work\nAre you sure? [y/N] ", declined.out());
        assertEquals("This will completely remove the selected VM(s)...\nRemove cancelled.\n", declined.err());
        assertEquals(List.of("admin.vm.List+ dom0"), qubesd.calls());

        ToolRun accepted = ToolRun.withInput(qubesd, "y\n", "qvm-remove", "work");
        assertEquals(0, accepted.code());
        assertEquals("admin.vm.Remove+ work", qubesd.calls().get(qubesd.calls().size() - 1));
    }

    @Test
    void removeForceAndDom0() {
        qubesd.ok("admin.vm.Remove", "work", "").ok("admin.vm.Remove", "sys-net", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-remove", "-f", "work", "sys-net").code());
        assertEquals(List.of("admin.vm.Remove+ work", "admin.vm.Remove+ sys-net"), callsBut("admin.vm.List"));
        ToolRun dom0 = ToolRun.run(qubesd, "qvm-remove", "-f", "dom0");
        assertEquals(1, dom0.code());
        assertEquals("Domain 'dom0' cannot be removed.\n", dom0.err());
    }

    @Test
    void removeOfAQubeInUseExplainsWhatUsesIt() {
        qubesd.on("admin.vm.Remove", "", "sys-net", FakeQubesd.error("QubesVMInUseError", "VM in use: sys-net"))
                .ok("admin.property.GetAll", "dom0", "clockvm default=False type=vm sys-net\ndefault_netvm default=False type=vm sys-net\n"
                        + "updatevm default=False type=vm work\n")
                .ok("admin.vm.property.GetAll", "work", Fixtures.WORK_PROPS.replace("netvm default=True type=vm sys-net",
                        "netvm default=False type=vm sys-net"));
        ToolRun run = ToolRun.run(qubesd, "qvm-remove", "--force", "sys-net");
        assertEquals(1, run.code());
        assertEquals("VM sys-net cannot be removed. It is in use as:\n - global property default_netvm\n"
                + " - global property clockvm\n - netvm for work\nqvm-remove: error: VM in use: sys-net\n", run.err());
    }

    @Test
    void cloneCopiesNonDefaultPropertiesTagsAndFeaturesThenVolumes() {
        scriptClone();
        qubesd.ok("admin.vm.volume.CloneFrom", "private", "work", "t0k3n").ok("admin.vm.volume.CloneTo", "private", "work2", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-clone", "work", "work2");
        assertEquals(0, run.code(), run.err());
        assertEquals("work2: Cloning private volume\n", run.err());
        assertEquals(List.of(
                "admin.vm.volume.List+ work",
                "admin.vm.volume.Info+private work",
                "admin.vm.volume.Info+root work",
                "admin.vm.Create.AppVM+debian-12 dom0 name=work2 label=blue",
                "admin.vm.property.Set+memory work2 800",
                "admin.vm.tag.List+ work",
                "admin.vm.tag.Set+mail work2",
                "admin.vm.feature.List+ work",
                "admin.vm.feature.Get+gui work",
                "admin.vm.feature.Set+gui work2 1",
                "admin.vm.feature.Get+preload-dispvm-max work",
                "admin.vm.feature.Set+preload-dispvm-max work2 2",
                "admin.vm.volume.List+ work2",
                "admin.vm.volume.Info+private work2",
                "admin.vm.volume.CloneFrom+private work",
                "admin.vm.volume.CloneTo+private work2 t0k3n",
                "admin.vm.volume.Info+root work2"),
                callsBut("admin.vm.List", "admin.vm.property.GetAll", "admin.property.GetAll"));
    }

    @Test
    void cloneWithoutServerSideVolumeCloningSaysSoAndRemovesTheClone() {
        scriptClone();
        qubesd.ok("admin.vm.Remove", "work2", "").on("admin.vm.volume.CloneFrom", "private", "work",
                FakeQubesd.error("ProtocolError", "no such method: admin.vm.volume.CloneFrom"));
        ToolRun run = ToolRun.run(qubesd, "qvm-clone", "work", "work2");
        assertEquals(1, run.code());
        assertEquals("work2: Cloning private volume\nqvm-clone: error: cannot copy the volumes of 'work': this dom0 does not support"
                + " cloning volume data yet (admin.vm.volume.CloneFrom/CloneTo); 'work2' was removed again\n", run.err());
        assertEquals("admin.vm.Remove+ work2", qubesd.calls().get(qubesd.calls().size() - 1));
    }

    @Test
    void cloneMetadataFailureRemovesTheCloneUnlessIgnored() {
        scriptClone();
        qubesd.on("admin.vm.tag.Set", "mail", "work2", FakeQubesd.error("QubesValueError", "bad tag")).ok("admin.vm.Remove", "work2", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-clone", "work", "work2");
        assertEquals(1, run.code());
        assertEquals("work2: Failed to add mail tag: bad tag\nqvm-clone: error: bad tag\n", run.err());
        assertTrue(qubesd.calls().contains("admin.vm.Remove+ work2"));
        assertTrue(qubesd.calls().stream().noneMatch(call -> call.startsWith("admin.vm.feature")));
    }

    private void scriptClone() {
        qubesd.ok("admin.vm.Create.AppVM", "debian-12", "dom0", "")
                .ok("admin.property.GetAll", "dom0", "default_pool_private default=True type=str varlibqubes\n")
                .ok("admin.vm.property.GetAll", "work", Fixtures.WORK_PROPS.replace("memory default=True", "memory default=False")
                        .replace("type=int 400", "type=int 800"))
                .ok("admin.vm.property.Set", "memory", "work2", "")
                .ok("admin.vm.tag.List", "work", "created-by-dom0\nmail\n").ok("admin.vm.tag.Set", "mail", "work2", "")
                .ok("admin.vm.feature.List", "work", "gui\npreload-dispvm\npreload-dispvm-max\n")
                .ok("admin.vm.feature.Get", "gui", "work", "1").ok("admin.vm.feature.Set", "gui", "work2", "")
                .ok("admin.vm.feature.Get", "preload-dispvm-max", "work", "2")
                .ok("admin.vm.feature.Set", "preload-dispvm-max", "work2", "")
                .ok("admin.vm.volume.List", "work", "private\nroot\n")
                .ok("admin.vm.volume.Info", "private", "work", "pool=varlibqubes\nvid=appvms/work/private\nrw=True\n"
                        + "snap_on_start=False\nsave_on_stop=True\n")
                .ok("admin.vm.volume.Info", "root", "work", "pool=varlibqubes\nvid=appvms/work/root\nrw=False\n"
                        + "snap_on_start=True\nsave_on_stop=False\n")
                .ok("admin.vm.volume.List", "work2", "private\nroot\n")
                .ok("admin.vm.volume.Info", "private", "work2", "pool=varlibqubes\nvid=appvms/work2/private\nrw=True\n"
                        + "snap_on_start=False\nsave_on_stop=True\n")
                .ok("admin.vm.volume.Info", "root", "work2", "pool=varlibqubes\nvid=appvms/work2/root\nrw=False\n"
                        + "snap_on_start=True\nsave_on_stop=False\n");
    }
}
