package io.bulkhead.core.domains.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulkhead.core.domains.QubesVolumeRevisionNotFoundError;
import io.bulkhead.core.domains.StoragePoolException;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.storage.ActiveVolume;
import io.bulkhead.core.domains.storage.Pool;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files and real qemu-img; data is written into overlays with qemu-io to check semantics. */
class FilePoolTest {

    private static final long SIZE = 1 << 20;

    @TempDir
    Path dir;
    Pool pool;

    @BeforeEach
    void open() {
        assumeTrue(new QemuImg("qemu-img").locate().isPresent(), "qemu-img is not installed (apt-get install qemu-utils)");
        pool = new FilePoolDriver(new QemuImg("qemu-img")).open("p", Map.of("dir_path", dir.toString(), "revisions_to_keep", "2"));
    }

    private static VolumeConfig origin(String vid) {
        return new VolumeConfig("root", "p", vid, SIZE, true, false, true, Optional.empty(), Optional.empty(), false);
    }

    private static VolumeConfig snapshot(String vid, String source) {
        return new VolumeConfig("root", "p", vid, SIZE, true, true, false, Optional.of(source), Optional.empty(), false);
    }

    /** Writes {@code text} at offset 0 of an image through qemu-io (what a guest would do). */
    private static void guestWrite(ActiveVolume v, String text) throws Exception {
        int pattern = text.charAt(0);
        run("qemu-io", "-f", v.format().qemuName(), "-c", "write -P " + pattern + " 0 " + text.length(), v.path().toString());
    }

    private static byte firstByte(Path raw) throws IOException {
        try (InputStream in = Files.newInputStream(raw)) {
            return (byte) in.read();
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void originCommitsAtStopAndKeepsRevisions() throws Exception {
        VolumeConfig root = origin("vm-templates/t/root");
        pool.create(root);
        Path img = Path.of(pool.path(root).orElseThrow());
        assertEquals(SIZE, Files.size(img));
        ActiveVolume run1 = pool.start(root).orElseThrow();
        assertEquals(DiskFormat.QCOW2, run1.format());
        assertEquals(Optional.of(img), run1.backing());
        assertTrue(pool.isRunning(root));
        guestWrite(run1, "A");
        assertEquals(0, firstByte(img), "committed image untouched while running");
        pool.stop(root);
        assertFalse(pool.isRunning(root));
        assertFalse(Files.exists(run1.path()), "overlay removed at stop");
        assertEquals('A', firstByte(img));
        assertEquals(List.of("1"), pool.revisions(root).stream().map(r -> r.id()).toList());

        for (String s : List.of("B", "C")) {
            guestWrite(pool.start(root).orElseThrow(), s);
            pool.stop(root);
        }
        assertEquals('C', firstByte(img));
        assertEquals(List.of("2", "3"), pool.revisions(root).stream().map(r -> r.id()).toList(), "only 2 revisions kept");
        pool.revert(root, "3");
        assertEquals('B', firstByte(img), "revision 3 holds the state before the last run");
        assertThrows(QubesVolumeRevisionNotFoundError.class, () -> pool.revert(root, "1"));
    }

    @Test
    void snapshotSeesCommittedSourceAndIsDiscarded() throws Exception {
        VolumeConfig troot = origin("vm-templates/t/root");
        pool.create(troot);
        guestWrite(pool.start(troot).orElseThrow(), "T");
        pool.stop(troot);
        VolumeConfig aroot = snapshot("appvms/a/root", troot.vid());
        ActiveVolume run = pool.start(aroot).orElseThrow();
        assertEquals(DiskFormat.QCOW2, run.format());
        guestWrite(run, "X");
        assertFalse(pool.isOutdated(aroot));
        // the template is updated while the AppVM runs: the AppVM is now outdated, its view unchanged
        guestWrite(pool.start(troot).orElseThrow(), "U");
        pool.stop(troot);
        assertTrue(pool.isOutdated(aroot));
        pool.stop(aroot);
        assertFalse(Files.exists(run.path()));
        assertEquals('U', firstByte(Path.of(pool.path(troot).orElseThrow())), "AppVM writes never reach the template");
    }

    @Test
    void volatileIsFreshEveryStartAndDiscarded() throws Exception {
        VolumeConfig vol = new VolumeConfig("volatile", "p", "appvms/a/volatile", SIZE, true, false, false,
                Optional.empty(), Optional.empty(), false);
        pool.create(vol);
        ActiveVolume run = pool.start(vol).orElseThrow();
        assertEquals(DiskFormat.RAW, run.format());
        Files.write(run.path(), new byte[] {7}, java.nio.file.StandardOpenOption.WRITE);
        pool.stop(vol);
        assertFalse(Files.exists(run.path()));
        ActiveVolume again = pool.start(vol).orElseThrow();
        assertEquals(0, firstByte(again.path()));
        assertEquals(SIZE, Files.size(again.path()));
    }

    @Test
    void directWritesWithRevisionsDisabledAndRemoval() throws Exception {
        VolumeConfig root = origin("appvms/s/private").withRevisionsToKeep(Optional.of(-1));
        pool.create(root);
        ActiveVolume run = pool.start(root).orElseThrow();
        assertEquals(DiskFormat.RAW, run.format());
        assertEquals(Path.of(pool.path(root).orElseThrow()), run.path());
        pool.stop(root);
        pool.resize(root, SIZE * 2);
        assertEquals(SIZE * 2, Files.size(run.path()));
        assertThrows(StoragePoolException.class, () -> pool.resize(root.withSize(SIZE * 2), SIZE));
        pool.remove(root);
        assertFalse(Files.exists(run.path()));
        assertFalse(Files.exists(dir.resolve("appvms/s")), "empty qube directory removed");
    }

    @Test
    void leftoverFilesOfAVidAreMovedAsideNotReused() throws Exception {
        VolumeConfig priv = origin("appvms/w/private");
        pool.create(priv);
        guestWrite(pool.start(priv).orElseThrow(), "P");
        pool.stop(priv);
        // the store forgot the qube (crash before its save), then a qube of the same name is created
        pool.create(priv);
        Path img = Path.of(pool.path(priv).orElseThrow());
        assertEquals(0, firstByte(img), "the new volume starts empty");
        assertTrue(pool.revisions(priv).isEmpty(), "old revisions are not inherited");
        try (var files = Files.list(img.getParent())) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().contains(".orphaned-")).count(),
                    "old image and its revision are kept aside");
        }
    }

    @Test
    void missingQemuImgNamesThePackage() {
        Pool noTool = new FilePoolDriver(new QemuImg("/nonexistent/qemu-img")).open("p", Map.of("dir_path", dir.toString()));
        VolumeConfig root = origin("vm-templates/t/root");
        noTool.create(root);
        StoragePoolException e = assertThrows(StoragePoolException.class, () -> noTool.start(root));
        assertTrue(e.getMessage().contains("apt-get install qemu-utils"), e.getMessage());
        assertFalse(noTool.isRunning(root));
    }

    @Test
    void badPoolConfigurationIsRefused() {
        FilePoolDriver d = new FilePoolDriver(new QemuImg("qemu-img"));
        assertThrows(StoragePoolException.class, () -> d.open("p", Map.of("dir_path", "relative")));
        assertThrows(StoragePoolException.class, () -> d.open("p", Map.of("dir_path", dir.toString(), "colour", "red")));
        assertThrows(StoragePoolException.class, () -> d.open("p", Map.of("dir_path", dir.toString(), "revisions_to_keep", "-2")));
        assertThrows(StoragePoolException.class, () -> pool.start(origin("../escape")));
    }

    @Test
    void importReplacesContentGrowsTheVolumeAndKeepsTheOldAsRevision() throws Exception {
        VolumeConfig root = origin("vm-templates/t/root");
        pool.create(root);
        Path img = Path.of(pool.path(root).orElseThrow());
        Path source = dir.resolve("source.img");
        byte[] data = new byte[(int) SIZE * 2];
        data[0] = 'I';
        Files.write(source, data);

        assertEquals(SIZE * 2, pool.importData(root, source));
        assertEquals('I', firstByte(img));
        assertEquals(SIZE * 2, Files.size(img));
        assertEquals(List.of("1"), pool.revisions(root).stream().map(r -> r.id()).toList(), "previous content kept");

        pool.start(root);
        assertThrows(StoragePoolException.class, () -> pool.importData(root, source), "no import while in use");
        pool.stop(root);
        VolumeConfig snapshot = snapshot("appvms/a/root", "vm-templates/t/root");
        assertThrows(StoragePoolException.class, () -> pool.importData(snapshot, source), "snapshot volumes have no content");
    }
}
