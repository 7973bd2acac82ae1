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

/** qvm-volume, qvm-pool and qvm-template. */
@Timeout(20)
class StorageToolsTest {
    private static final String PRIVATE_INFO = "pool=varlibqubes\nvid=appvms/work/private\nsize=2147483648\nusage=1048576\nrw=True\n"
            + "source=\npath=/var/lib/bulkhead/appvms/work/private.img\nsave_on_stop=True\nsnap_on_start=False\n"
            + "revisions_to_keep=1\nephemeral=False\nis_outdated=False\n";
    private FakeQubesd qubesd;

    @BeforeEach
    void start() throws IOException {
        qubesd = Fixtures.standard(new FakeQubesd())
                .ok("admin.vm.volume.List", "work", "private\nroot\n")
                .ok("admin.vm.volume.Info", "private", "work", PRIVATE_INFO)
                .ok("admin.vm.volume.Info", "root", "work", "pool=varlibqubes\nvid=appvms/work/root\nsize=10737418240\nusage=0\n"
                        + "rw=False\nsource=vm-templates/debian-12/root\nsave_on_stop=False\nsnap_on_start=True\n"
                        + "revisions_to_keep=-1\nephemeral=False\nis_outdated=True\n")
                .ok("admin.vm.volume.ListSnapshots", "private", "work", "1700000000\n1700000100\n")
                .ok("admin.vm.volume.ListSnapshots", "root", "work", "");
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    @Test
    void volumeListOfOneQube() {
        ToolRun run = ToolRun.run(qubesd, "qvm-volume", "list", "work");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of(
                "POOL:VOLUME                      VMNAME  VOLUME_NAME  REVERT_POSSIBLE",
                "varlibqubes:appvms/work/private  work    private      Yes",
                "varlibqubes:appvms/work/root     work    root         No"), run.out().lines().toList());
        assertEquals(List.of("admin.vm.List+ dom0", "admin.vm.volume.List+ work", "admin.vm.volume.Info+private work",
                "admin.vm.volume.ListSnapshots+private work", "admin.vm.volume.Info+root work", "admin.vm.volume.ListSnapshots+root work"),
                qubesd.calls());
    }

    @Test
    void volumeInfoTableAndRevisions() {
        ToolRun run = ToolRun.run(qubesd, "qvm-volume", "info", "work:private");
        assertEquals(""
                + "pool               varlibqubes\n"
                + "vid                appvms/work/private\n"
                + "rw                 True\n"
                + "source\n"
                + "save_on_stop       True\n"
                + "snap_on_start      False\n"
                + "size               2147483648\n"
                + "usage              1048576\n"
                + "revisions_to_keep  1\n"
                + "ephemeral          False\n"
                + "is_outdated        False\n"
                + "List of available revisions (for revert):\n"
                + "  1700000000\n"
                + "  1700000100\n", run.out());
        assertTrue(ToolRun.run(qubesd, "qvm-volume", "i", "work:root").out().contains("revisions_to_keep  -1 (snapshot disabled)\n"));
        assertEquals("1700000000\n1700000100\n", ToolRun.run(qubesd, "qvm-volume", "info", "work:private", "revisions").out());
        assertEquals("True\n", ToolRun.run(qubesd, "qvm-volume", "info", "work:root", "is_outdated").out());
        ToolRun bad = ToolRun.run(qubesd, "qvm-volume", "info", "work:private", "colour");
        assertEquals(1, bad.code());
        assertEquals("Error: No such property: colour\n", bad.err());
    }

    @Test
    void volumeReferenceErrors() {
        ToolRun noColon = ToolRun.run(qubesd, "qvm-volume", "info", "work");
        assertEquals(2, noColon.code());
        assertEquals("qvm-volume info: error: expected a vm & volume combination like foo:bar", noColon.lastErrLine());
        ToolRun noVm = ToolRun.run(qubesd, "qvm-volume", "info", "nope:private");
        assertEquals(1, noVm.code());
        assertEquals("qvm-volume: error: no vm 'nope'\n", noVm.err());
        assertEquals("qvm-volume: error: vm 'work' has no volume 'swap'\n", ToolRun.run(qubesd, "qvm-volume", "info", "work:swap").err());
    }

    @Test
    void volumeConfigRevertAndResize() {
        qubesd.ok("admin.vm.volume.Set.revisions_to_keep", "private", "work", "")
                .ok("admin.vm.volume.Revert", "private", "work", "")
                .ok("admin.vm.volume.Resize", "private", "work", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-volume", "config", "work:private", "revisions_to_keep", "2").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-volume", "revert", "work:private").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-volume", "r", "work:private", "1700000000").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-volume", "extend", "work:private", "4GiB").code());
        List<String> writes = qubesd.calls().stream().filter(call -> call.matches("admin.vm.volume.(Set|Revert|Resize).*")).toList();
        assertEquals(List.of("admin.vm.volume.Set.revisions_to_keep+private work 2", "admin.vm.volume.Revert+private work 1700000100",
                "admin.vm.volume.Revert+private work 1700000000", "admin.vm.volume.Resize+private work 4294967296"), writes);
        assertEquals("Error: Invalid property: size\n",
                ToolRun.run(qubesd, "qvm-volume", "set", "work:private", "size", "1").err());
    }

    @Test
    void volumeResizeRefusesToShrinkWithoutForce() {
        ToolRun run = ToolRun.run(qubesd, "qvm-volume", "resize", "work:private", "1G");
        assertEquals(1, run.code());
        assertTrue(run.err().startsWith("Error: Refusing to shrink volume work:private from 2147483648 to 1000000000 bytes.\n"),
                run.err());
        assertTrue(qubesd.calls().stream().noneMatch(call -> call.startsWith("admin.vm.volume.Resize")));
        assertEquals("Error: Invalid size: 12PB.\n", ToolRun.run(qubesd, "qvm-volume", "resize", "work:private", "12PB").err());
    }

    @Test
    void volumeRevertWithoutRevisionsAndUnsupportedCommands() {
        ToolRun run = ToolRun.run(qubesd, "qvm-volume", "revert", "work:root");
        assertEquals(1, run.code());
        assertEquals("Error: No snapshots available\n", run.err());
        qubesd.ok("admin.vm.volume.Clear", "private", "work", "");
        ToolRun clear = ToolRun.run(qubesd, "qvm-volume", "clear", "work:private");
        assertEquals(0, clear.code(), clear.err());
        assertTrue(qubesd.calls().contains("admin.vm.volume.Clear+private work"), qubesd.calls().toString());
        qubesd.on("admin.vm.volume.Clear", "private", "work", FakeQubesd.error("QubesVMNotHaltedError", "Cannot clear volume private"));
        assertEquals("Error: Cannot clear volume private\n", ToolRun.run(qubesd, "qvm-volume", "clear", "work:private").err());
    }

    @Test
    void volumeImportHandsDom0TheImageFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path image = java.nio.file.Files.write(dir.resolve("root.img"), new byte[512]);
        qubesd.ok("bulkhead.vm.volume.ImportFile", "root", "work", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-volume", "import", "work:root", image.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(qubesd.calls().contains("bulkhead.vm.volume.ImportFile+root work " + image), qubesd.calls().toString());

        ToolRun missing = ToolRun.run(qubesd, "qvm-volume", "import", "work:root", dir.resolve("nope.img").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such image file"), missing.err());
        assertEquals(1, ToolRun.run(qubesd, "qvm-volume", "import", "work:root", "-").code());
    }

    @Test
    void volumeCloneGoesThroughACloneToken() {
        qubesd.ok("admin.vm.volume.CloneFrom", "private", "work", "0123456789abcdef0123456789abcdef")
                .ok("admin.vm.volume.CloneTo", "private", "work", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-volume", "clone", "work:private", "work:private");
        assertEquals(0, run.code(), run.err());
        assertTrue(qubesd.calls().contains("admin.vm.volume.CloneFrom+private work"), qubesd.calls().toString());
        assertTrue(qubesd.calls().contains("admin.vm.volume.CloneTo+private work 0123456789abcdef0123456789abcdef"),
                qubesd.calls().toString());
    }

    @Test
    void poolListFallsBackWhileInfoIsNotServed() {
        qubesd.ok("admin.pool.List", "dom0", "varlibqubes\nlinux-kernel\n")
                .ok("admin.pool.Info", "varlibqubes", "dom0", "dir_path=/var/lib/bulkhead\ndriver=file\nrevisions_to_keep=1\n")
                .on("admin.pool.Info", "linux-kernel", "dom0", FakeQubesd.error("ProtocolError", "no such method: admin.pool.Info"));
        ToolRun run = ToolRun.run(qubesd, "qvm-pool");
        assertEquals("NAME          DRIVER\nvarlibqubes   file\nlinux-kernel  -\n", run.out());
        assertEquals(run.out(), ToolRun.run(qubesd, "qvm-pool", "ls").out());
        qubesd.ok("admin.pool.Set.revisions_to_keep", "fast", "dom0", "").ok("admin.pool.Set.ephemeral_volatile", "fast", "dom0", "");
        ToolRun set = ToolRun.run(qubesd, "qvm-pool", "set", "fast", "-o", "revisions_to_keep=2,ephemeral_volatile=False");
        assertEquals(0, set.code(), set.err());
        assertTrue(qubesd.calls().containsAll(List.of("admin.pool.Set.revisions_to_keep+fast dom0 2",
                "admin.pool.Set.ephemeral_volatile+fast dom0 False")), qubesd.calls().toString());
        assertEquals(2, ToolRun.run(qubesd, "qvm-pool", "set", "fast", "-o", "novalue").code());
    }

    @Test
    void poolDriversInfoAddRemove() {
        qubesd.ok("admin.pool.ListDrivers", "dom0", "file dir_path revisions_to_keep\nlinux-kernel dir_path\n")
                .ok("admin.pool.Info", "fast", "dom0", "dir_path=/fast\ndriver=file\nname=fast\n")
                .ok("admin.pool.Add", "file", "dom0", "")
                .ok("admin.pool.Remove", "fast", "dom0", "");
        ToolRun drivers = ToolRun.run(qubesd, "qvm-pool", "drivers");
        assertEquals(0, drivers.code(), drivers.err());
        assertEquals(List.of("DRIVER        OPTIONS", "file          dir_path, revisions_to_keep", "linux-kernel  dir_path"),
                drivers.out().lines().toList());
        ToolRun add = ToolRun.run(qubesd, "qvm-pool", "add", "fast", "file", "-o", "dir_path=/fast,revisions_to_keep=2");
        assertEquals(0, add.code(), add.err());
        assertTrue(qubesd.calls().contains("admin.pool.Add+file dom0 name=fast\ndir_path=/fast\nrevisions_to_keep=2\n"),
                qubesd.calls().toString());
        ToolRun info = ToolRun.run(qubesd, "qvm-pool", "info", "fast");
        assertEquals(List.of("dir_path  /fast", "driver    file", "name      fast"), info.out().lines().toList());
        assertEquals(0, ToolRun.run(qubesd, "qvm-pool", "remove", "fast").code());
        assertTrue(qubesd.calls().contains("admin.pool.Remove+fast dom0"), qubesd.calls().toString());
    }

    @Test
    void templateListShowsInstalledTemplatesOnly() {
        qubesd.ok("admin.vm.feature.Get", "template-epoch", "debian-12", "0")
                .ok("admin.vm.feature.Get", "template-version", "debian-12", "4.3.0")
                .ok("admin.vm.feature.Get", "template-release", "debian-12", "202501010000")
                .on("admin.vm.feature.Get", "template-reponame", "debian-12", FakeQubesd.error("QubesFeatureNotFoundError", "x"));
        ToolRun run = ToolRun.run(qubesd, "qvm-template", "list");
        assertEquals(0, run.code(), run.err());
        assertEquals("Installed Templates\ndebian-12  0:4.3.0-202501010000  -\n", run.out());
        assertEquals("installed|debian-12|0:4.3.0-202501010000|-\n",
                ToolRun.run(qubesd, "qvm-template", "list", "--machine-readable", "debian-*").out());
        assertEquals("{\"installed\": [{\"name\": \"debian-12\", \"evr\": \"0:4.3.0-202501010000\", \"reponame\": \"-\"}]}\n",
                ToolRun.run(qubesd, "qvm-template", "list", "--machine-readable-json").out());
        ToolRun none = ToolRun.run(qubesd, "qvm-template", "list", "fedora-*");
        assertEquals(2, none.code());
        assertEquals("qvm-template list: error: No matching templates to list", none.lastErrLine());
    }

    @Test
    void templateRemoteCommandsAreRefused() {
        ToolRun install = ToolRun.run(qubesd, "qvm-template", "install", "debian-13");
        assertEquals(1, install.code());
        assertEquals("qvm-template: error: remote template repositories are not supported by Bulkhead: only 'qvm-template list'"
                + " of the installed templates is\n", install.err());
        assertEquals(1, ToolRun.run(qubesd, "qvm-template", "list", "--available").code());
        assertEquals(List.of(), qubesd.calls());
    }
}
