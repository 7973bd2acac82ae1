package io.bulkhead.core.domains.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulkhead.core.domains.QubesValueError;
import io.bulkhead.core.domains.QubesVMNotHaltedError;
import io.bulkhead.core.domains.QubesPoolNotFoundError;
import io.bulkhead.core.domains.internal.storage.QemuImg;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** admin.vm.volume.Set.rw / Set.ephemeral / Clear and admin.pool.Set.* on the model, with real file storage. */
class VolumeSettingsTest {

    @TempDir
    Path dir;
    DomainsServiceImpl s;
    FakeHypervisor kvm;

    @BeforeEach
    void open() throws Exception {
        assumeTrue(new QemuImg("qemu-img").locate().isPresent(), "qemu-img is not installed (apt-get install qemu-utils)");
        s = TestSupport.open(dir);
        TestSupport.standardQubes(s);
        TestSupport.installKernel(dir, "6.1");
        s.setGlobalProperty("default_kernel", "6.1");
        kvm = new FakeHypervisor("kvm");
        s.bindHypervisor(kvm, "kvm");
    }

    @AfterEach
    void close() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void rwAndEphemeralChangeOnlyOnHaltedQubesAndPersist() {
        s.setVolumeRw("work", "private", false);
        assertFalse(s.volumeInfo("work", "private").config().rw());
        s.setVolumeEphemeral("work", "volatile", false);
        s.close();
        s = TestSupport.open(dir);
        assertFalse(s.volumeInfo("work", "private").config().rw(), "stored");
        s.bindHypervisor(kvm, "kvm");
        s.setVolumeRw("work", "private", true);
        s.start("work");
        assertThrows(QubesVMNotHaltedError.class, () -> s.setVolumeRw("work", "private", false));
        assertTrue(s.volumeInfo("work", "private").config().rw());
    }

    @Test
    void ephemeralIsRefusedByTheFileDriver() {
        QubesValueError e = assertThrows(QubesValueError.class, () -> s.setVolumeEphemeral("work", "volatile", true));
        assertTrue(e.getMessage().contains("driver file"), e.getMessage());
        assertFalse(s.volumeInfo("work", "volatile").config().ephemeral());
    }

    @Test
    void clearZeroesAPersistentVolumeKeepingItsSize() throws Exception {
        Path image = dir.resolve("data.img");
        byte[] data = new byte[1 << 20];
        java.util.Arrays.fill(data, (byte) 0x5a);
        Files.write(image, data);
        s.importVolume("work", "private", image);
        long size = s.volumeInfo("work", "private").config().size();
        Path path = Path.of(s.volumeInfo("work", "private").path().orElseThrow());
        assertEquals(0x5a, readFirstBytes(path, 1)[0]);

        s.clearVolume("work", "private");
        assertEquals(size, s.volumeInfo("work", "private").config().size());
        assertArrayEquals(new byte[4096], readFirstBytes(Path.of(s.volumeInfo("work", "private").path().orElseThrow()), 4096));
        assertThrows(QubesValueError.class, () -> s.clearVolume("work", "volatile"));
    }

    /** Reads the guest-visible bytes: the file driver keeps private as raw or qcow2, so ask qemu-img for raw. */
    private byte[] readFirstBytes(Path volume, int n) throws Exception {
        Path raw = dir.resolve("check-" + System.nanoTime() + ".raw");
        Process p = new ProcessBuilder("qemu-img", "convert", "-O", "raw", volume.toString(), raw.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        try (var in = Files.newInputStream(raw)) {
            return in.readNBytes(n);
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    @Test
    void poolParametersAreValidatedByTheDriverAndRolledBackOnRefusal() {
        s.setPoolParameter("varlibqubes", "revisions_to_keep", "3");
        assertEquals("3", s.poolInfo("varlibqubes").get("revisions_to_keep"));
        assertThrows(QubesValueError.class, () -> s.setPoolParameter("varlibqubes", "revisions_to_keep", "-2"));
        assertThrows(QubesValueError.class, () -> s.setPoolParameter("varlibqubes", "dir_path", "/tmp"));
        assertThrows(QubesPoolNotFoundError.class, () -> s.setPoolParameter("nope", "revisions_to_keep", "1"));
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> s.setPoolParameter("varlibqubes", "ephemeral_volatile", "True"));
        assertTrue(refused.getMessage().contains("ephemeral_volatile"), refused.getMessage());
        assertEquals("False", s.poolInfo("varlibqubes").get("ephemeral_volatile"), "rolled back");
        assertEquals("3", s.poolInfo("varlibqubes").get("revisions_to_keep"));
    }
}
