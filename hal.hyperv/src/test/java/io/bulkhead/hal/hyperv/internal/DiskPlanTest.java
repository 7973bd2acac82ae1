package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The workaround mapping from core's raw/qcow2 volumes to VHDX disks. */
class DiskPlanTest {

    private static final Path POOL = Path.of("/var/lib/bulkhead/pool");

    private static List<DiskPlan> plan(VolumeSpec... volumes) {
        return DiskPlan.of(List.of(volumes), path -> 5L << 30);
    }

    @Test
    void snapshotOverlaysBecomeDifferencingDisksOverTheSourcesVhdx() {
        VolumeSpec root = new VolumeSpec("root", POOL.resolve("appvms/work/root-snap.qcow2"), DiskFormat.QCOW2, false,
                Optional.of(POOL.resolve("vm-templates/fedora/root.img")));
        assertEquals(List.of(new DiskPlan.Differencing("root", "/var/lib/bulkhead/pool/vm-templates/fedora/root.vhdx",
                "0-root.vhdx")), plan(root));
    }

    @Test
    void saveOnStopOverlaysAttachTheVolumesOwnVhdxSoWritesPersist() {
        VolumeSpec priv = new VolumeSpec("private", POOL.resolve("appvms/work/private-dirty.qcow2"), DiskFormat.QCOW2,
                false, Optional.of(POOL.resolve("appvms/work/private.img")));
        assertEquals(List.of(new DiskPlan.Attach("private", "/var/lib/bulkhead/pool/appvms/work/private.vhdx")),
                plan(priv));
        VolumeSpec templateRoot = new VolumeSpec("root", POOL.resolve("vm-templates/fedora/root-dirty.qcow2"),
                DiskFormat.QCOW2, false, Optional.of(POOL.resolve("vm-templates/fedora/root.img")));
        assertEquals(List.of(new DiskPlan.Attach("root", "/var/lib/bulkhead/pool/vm-templates/fedora/root.vhdx")),
                plan(templateRoot), "a template's own root keeps its changes");
    }

    @Test
    void volatileIsFreshReadOnlyIsThrowawayAndVhdxAttachesAsIs() {
        List<DiskPlan> plans = plan(
                VolumeSpec.of("volatile", POOL.resolve("appvms/work/volatile.img"), DiskFormat.RAW, false),
                VolumeSpec.of("kernel", POOL.resolve("kernels/6.6/modules.img"), DiskFormat.RAW, true),
                VolumeSpec.of("data", Path.of("/srv/disks/data.VHDX"), DiskFormat.RAW, false),
                VolumeSpec.of("plain", POOL.resolve("appvms/work/plain"), DiskFormat.RAW, false));
        assertEquals(new DiskPlan.Fresh("volatile", 5L << 30, "0-volatile.vhdx"), plans.get(0));
        assertEquals(new DiskPlan.Differencing("kernel", "/var/lib/bulkhead/pool/kernels/6.6/modules.vhdx",
                "1-kernel.vhdx"), plans.get(1));
        assertEquals(new DiskPlan.Attach("data", "/srv/disks/data.VHDX"), plans.get(2));
        assertEquals(new DiskPlan.Attach("plain", "/var/lib/bulkhead/pool/appvms/work/plain.vhdx"), plans.get(3));
    }

    @Test
    void windowsPathsAndOddNamesAreHandled() {
        assertEquals("C:\\pool\\a.b\\root.vhdx", DiskPlan.vhdxCounterpart("C:\\pool\\a.b\\root.img"));
        assertEquals("C:\\pool\\a.b\\root.vhdx", DiskPlan.vhdxCounterpart("C:\\pool\\a.b\\root"));
        assertTrue(DiskPlan.overlaysItsOwnImage("C:\\p\\private-dirty.qcow2", "C:\\p\\private.img"));
        assertFalse(DiskPlan.overlaysItsOwnImage("C:\\p\\root-snap.qcow2", "C:\\t\\root.img"));
        assertFalse(DiskPlan.overlaysItsOwnImage("/p/privateer-x.qcow2", "/p/private.img"));
        assertEquals("3-my_disk__.vhdx", DiskPlan.fileName(3, "my disk/\\"));
        DiskPlan tiny = DiskPlan.of(List.of(VolumeSpec.of("volatile", POOL.resolve("v.img"), DiskFormat.RAW, false)),
                path -> 1L).get(0);
        assertEquals(new DiskPlan.Fresh("volatile", 1L << 20, "0-volatile.vhdx"), tiny, "at least 1 MiB");
    }
}
