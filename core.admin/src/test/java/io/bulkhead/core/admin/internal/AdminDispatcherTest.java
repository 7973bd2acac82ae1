package io.bulkhead.core.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.bulkhead.core.admin.AdminPermissionHook;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;
import io.bulkhead.core.domains.PermissionDenied;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.QubesVMNotFoundError;

class AdminDispatcherTest {
    @TempDir
    Path dataDir;

    private AdminFixture admin;

    @BeforeEach
    void createTemplateAndQube() {
        admin = new AdminFixture(dataDir);
        admin.call("admin.vm.Create.TemplateVM", "", "dom0", "name=debian label=black");
        admin.call("admin.vm.Create.AppVM", "debian", "dom0", "name=work label=blue");
    }

    @Test
    void listsQubesWithClassStateAndUuid() {
        String list = admin.call("admin.vm.List", "", "dom0", "");
        assertTrue(list.startsWith("dom0 class=AdminVM state=Running uuid="), list);
        assertTrue(list.contains("\nwork class=AppVM state=Halted uuid="), list);
        assertTrue(list.contains("\ndebian class=TemplateVM state=Halted uuid="), list);
        String one = admin.call("admin.vm.List", "", "work", "");
        assertTrue(one.startsWith("work class=AppVM state=Halted uuid=") && one.indexOf('\n') == one.length() - 1, one);
    }

    @Test
    void createTagsTheQubeWithItsCreator() {
        assertEquals("1", admin.call("admin.vm.tag.Get", "created-by-dom0", "work", ""));
        assertEquals("0", admin.call("admin.vm.tag.Get", "no-such-tag", "work", ""));
    }

    @Test
    void propertyValuesAreSerialisedAsQubesd() {
        assertEquals("default=False type=vm debian", admin.call("admin.vm.property.Get", "template", "work", ""));
        assertEquals("default=False type=label blue", admin.call("admin.vm.property.Get", "label", "work", ""));
        admin.call("admin.vm.property.Set", "memory", "work", "600");
        assertEquals("default=False type=int 600", admin.call("admin.vm.property.Get", "memory", "work", ""));
        admin.call("admin.vm.property.Reset", "memory", "work", "");
        String reset = admin.call("admin.vm.property.Get", "memory", "work", "");
        assertTrue(reset.startsWith("default=True type=int "), reset);
        assertEquals(reset.substring("default=True ".length()), admin.call("admin.vm.property.GetDefault", "memory", "work", ""));
    }

    @Test
    void getAllIsSortedOneLinePerProperty() {
        String all = admin.call("admin.vm.property.GetAll", "", "work", "");
        String[] lines = all.split("\n");
        assertTrue(lines.length > 10, all);
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i - 1].compareTo(lines[i]) < 0, "not sorted: " + lines[i - 1] + " / " + lines[i]);
        }
        assertTrue(all.contains("template default=False type=vm debian\n"), all);
    }

    @Test
    void featuresAndTagsRoundTrip() {
        admin.call("admin.vm.feature.Set", "service.cups", "work", "1");
        assertEquals("1", admin.call("admin.vm.feature.Get", "service.cups", "work", ""));
        assertEquals("service.cups\n", admin.call("admin.vm.feature.List", "", "work", ""));
        admin.call("admin.vm.feature.Remove", "service.cups", "work", "");
        QubesException missing = assertThrows(QubesException.class, () -> admin.call("admin.vm.feature.Get", "service.cups", "work", ""));
        assertEquals("QubesFeatureNotFoundError", missing.qubesClass());

        admin.call("admin.vm.tag.Set", "audited", "work", "");
        assertTrue(admin.call("admin.vm.tag.List", "", "work", "").contains("audited\n"));
        admin.call("admin.vm.tag.Remove", "audited", "work", "");
        assertFalse(admin.call("admin.vm.tag.List", "", "work", "").contains("audited"));
    }

    @Test
    void validationFollowsQubesdOrder() {
        // unknown destination before anything else
        QubesVMNotFoundError notFound = assertThrows(QubesVMNotFoundError.class,
                () -> admin.call("admin.no.such.Method", "", "nonexistent", ""));
        assertEquals("QubesVMNotFoundError", notFound.qubesClass());
        assertEquals("no such method: admin.no.such.Method",
                assertThrows(ProtocolError.class, () -> admin.call("admin.no.such.Method", "", "work", "")).getMessage());
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.List", "unexpected", "dom0", ""));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.List", "", "dom0", "payload"));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.property.Get", "", "work", ""));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vmclass.List", "", "work", ""));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.Remove", "", "dom0", ""));
    }

    @Test
    void createRefusesMalformedPayloads() {
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.Create.AppVM", "debian", "dom0", "name=x"));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.Create.AppVM", "debian", "dom0", "name=x label=red evil=1"));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.Create.AppVM", "debian", "dom0", "name=x name=y label=red"));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.Create.AppVM", "debian", "dom0", "garbage"));
        assertThrows(QubesException.class, () -> admin.call("admin.vm.Create.AppVM", "debian", "dom0", "name=-bad label=red"));
        assertFalse(admin.call("admin.vm.List", "", "dom0", "").contains("-bad"));
    }

    @Test
    void permissionHooksMayRefuseAndFilter() {
        admin.hooks.add(new AdminPermissionHook() {
            @Override
            public void check(AdminRequest request) {
                if (request.method().equals("admin.vm.Remove")) {
                    throw new PermissionDenied("removal disabled by policy hook");
                }
            }

            @Override
            public boolean mayList(AdminRequest request, String qube) {
                return !qube.equals("debian");
            }
        });
        PermissionDenied denied = assertThrows(PermissionDenied.class, () -> admin.call("admin.vm.Remove", "", "work", ""));
        assertEquals("removal disabled by policy hook", denied.getMessage());
        assertTrue(admin.domains.find("work").isPresent());
        assertFalse(admin.call("admin.vm.List", "", "dom0", "").contains("debian"));
    }

    @Test
    void contributedMethodsAreCalledAfterTheGenericChecks() {
        admin.contributed.put("bulkhead.test.Echo", request -> request.destination() + ":" + request.payloadText());
        assertEquals("work:hi", admin.call("bulkhead.test.Echo", "", "work", "hi"));
        assertThrows(QubesVMNotFoundError.class, () -> admin.call("bulkhead.test.Echo", "", "ghost", "hi"));
    }

    @Test
    void labelsAndVolumes() {
        assertTrue(admin.call("admin.label.List", "", "dom0", "").contains("red\n"));
        assertTrue(admin.call("admin.label.Get", "red", "dom0", "").matches("0x[0-9a-fA-F]{6}"));
        assertTrue(admin.call("admin.vm.volume.List", "", "work", "").contains("private\n"));
        String info = admin.call("admin.vm.volume.Info", "private", "work", "");
        assertTrue(info.contains("save_on_stop=True\n") && info.contains("rw=True\n"), info);
        assertThrows(PermissionDenied.class, () -> admin.call("admin.vm.volume.Info", "nonexistent", "work", ""));
        assertThrows(ProtocolError.class, () -> admin.call("admin.vm.volume.Resize", "private", "work", "012"));
    }

    @Test
    void volumeRwEphemeralClearAndPoolSettings() {
        admin.call("admin.vm.volume.Set.rw", "private", "work", "False");
        assertTrue(admin.call("admin.vm.volume.Info", "private", "work", "").contains("rw=False\n"));
        admin.call("admin.vm.volume.Set.rw", "private", "work", "true");
        assertTrue(admin.call("admin.vm.volume.Info", "private", "work", "").contains("rw=True\n"));
        assertEquals("QubesValueError", assertThrows(QubesException.class,
                () -> admin.call("admin.vm.volume.Set.rw", "private", "work", "maybe")).qubesClass());
        assertEquals("QubesValueError", assertThrows(QubesException.class,
                () -> admin.call("admin.vm.volume.Set.ephemeral", "volatile", "work", "True")).qubesClass());
        admin.call("admin.vm.volume.Set.ephemeral", "volatile", "work", "False");
        admin.call("admin.vm.volume.Clear", "private", "work", "");
        assertThrows(PermissionDenied.class, () -> admin.call("admin.vm.volume.Clear", "nonexistent", "work", ""));

        admin.call("admin.pool.Set.revisions_to_keep", "varlibqubes", "dom0", "4");
        assertTrue(admin.call("admin.pool.Info", "varlibqubes", "dom0", "").contains("revisions_to_keep=4\n"));
        assertThrows(ProtocolError.class, () -> admin.call("admin.pool.Set.revisions_to_keep", "varlibqubes", "dom0", "-3"));
        assertThrows(PermissionDenied.class, () -> admin.call("admin.pool.Set.revisions_to_keep", "nopool", "dom0", "1"));
        assertThrows(QubesException.class, () -> admin.call("admin.pool.Set.ephemeral_volatile", "varlibqubes", "dom0", "True"));
        assertTrue(admin.call("admin.pool.Info", "varlibqubes", "dom0", "").contains("ephemeral_volatile=False\n"));
    }

    @Test
    void removeRefusesAQubeInUseAndKeepsIt() {
        QubesException inUse = assertThrows(QubesException.class, () -> admin.call("admin.vm.Remove", "", "debian", ""));
        assertEquals("QubesVMInUseError", inUse.qubesClass());
        assertTrue(inUse.getMessage().contains("work"), inUse.getMessage());
        admin.call("admin.vm.Remove", "", "work", "");
        admin.call("admin.vm.Remove", "", "debian", "");
        assertEquals(1, admin.call("admin.vm.List", "", "dom0", "").split("\n").length);
    }

    @Test
    void importFileIsForDom0Only() throws Exception {
        java.nio.file.Path image = dataDir.resolve("root-source.img");
        java.nio.file.Files.write(image, new byte[4096]);
        AdminRequest fromQube = new AdminRequest("bulkhead.vm.volume.ImportFile", "root", "work", "debian",
                image.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThrows(PermissionDenied.class, () -> admin.dispatcher.call(fromQube));
        assertThrows(ProtocolError.class, () -> admin.call("bulkhead.vm.volume.ImportFile", "root", "debian", "relative.img"));
        String before = admin.call("admin.vm.volume.Info", "root", "debian", "");
        assertTrue(before.contains("\nsize="), before);
    }

    @Test
    void cloneFromCloneToCopiesTheCommittedDataOnce() throws Exception {
        java.nio.file.Path image = dataDir.resolve("root-data.img");
        byte[] data = new byte[8192];
        data[0] = 'Q';
        java.nio.file.Files.write(image, data);
        admin.call("bulkhead.vm.volume.ImportFile", "root", "debian", image.toString());
        admin.call("admin.vm.Create.TemplateVM", "", "dom0", "name=debian-copy label=black");

        String token = admin.call("admin.vm.volume.CloneFrom", "root", "debian", "");
        assertTrue(token.matches("[0-9a-f]{32}"), token);
        admin.call("admin.vm.volume.CloneTo", "root", "debian-copy", token);
        String info = admin.call("admin.vm.volume.Info", "root", "debian-copy", "");
        String path = info.lines().filter(l -> l.startsWith("path=")).findFirst().orElseThrow().substring(5);
        try (java.io.InputStream cloned = java.nio.file.Files.newInputStream(java.nio.file.Path.of(path))) {
            assertEquals('Q', cloned.read());
        }

        assertThrows(PermissionDenied.class, () -> admin.call("admin.vm.volume.CloneTo", "root", "debian-copy", token),
                "a token is good for one clone");
        assertThrows(PermissionDenied.class, () -> admin.call("admin.vm.volume.CloneTo", "root", "debian-copy", "0".repeat(32)));
    }

    @Test
    void poolsCanBeListedDescribedAddedAndRemoved() throws Exception {
        String drivers = admin.call("admin.pool.ListDrivers", "", "dom0", "");
        assertTrue(drivers.lines().anyMatch(l -> l.startsWith("file ") && l.contains("dir_path")), drivers);
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(dataDir.resolve("fast-pool"));
        admin.call("admin.pool.Add", "file", "dom0", "name=fast\ndir_path=" + dir + "\n");
        assertTrue(admin.call("admin.pool.List", "", "dom0", "").lines().toList().contains("fast"));
        String info = admin.call("admin.pool.Info", "fast", "dom0", "");
        assertTrue(info.contains("driver=file\n") && info.contains("dir_path=" + dir + "\n"), info);
        assertThrows(ProtocolError.class, () -> admin.call("admin.pool.Add", "file", "dom0", "name=bad\nbogus=1\n"));
        assertThrows(PermissionDenied.class, () -> admin.call("admin.pool.Add", "no-such-driver", "dom0", "name=x\n"));
        admin.call("admin.pool.Remove", "fast", "dom0", "");
        assertFalse(admin.call("admin.pool.List", "", "dom0", "").lines().toList().contains("fast"));
        assertThrows(PermissionDenied.class, () -> admin.call("admin.pool.Info", "fast", "dom0", ""));
    }
}
