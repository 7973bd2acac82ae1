package io.bulkhead.core.domains.internal.storage;

import io.bulkhead.core.domains.StoragePoolException;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.storage.ActiveVolume;
import io.bulkhead.core.domains.storage.Pool;
import io.bulkhead.core.domains.storage.PoolDriver;
import io.bulkhead.core.domains.storage.Revision;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Driver {@code linux-kernel}: read-only "volumes" that are kernel directories
 * {@code <dir_path>/<kernel>/} (vmlinuz, initramfs, modules.img). The vid is the kernel name.
 */
public final class LinuxKernelPoolDriver implements PoolDriver {

    public static final String NAME = "linux-kernel";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> parameters() {
        return Set.of("dir_path");
    }

    @Override
    public Pool open(String poolName, Map<String, String> config) {
        String dir = config.get("dir_path");
        if (dir == null || !Path.of(dir).isAbsolute() || config.size() != 1) {
            throw new StoragePoolException("pool '" + poolName + "': driver linux-kernel takes exactly one parameter, "
                    + "an absolute dir_path; got " + config.keySet());
        }
        return new KernelPool(poolName, Path.of(dir), config);
    }

    private static final class KernelPool implements Pool {
        private final String name;
        private final Path dir;
        private final Map<String, String> config;

        KernelPool(String name, Path dir, Map<String, String> config) {
            this.name = name;
            this.dir = dir;
            this.config = Map.copyOf(config);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String driver() {
            return NAME;
        }

        @Override
        public Map<String, String> config() {
            return config;
        }

        @Override
        public int defaultRevisionsToKeep() {
            return 0;
        }

        @Override
        public void create(VolumeConfig volume) {
            // kernels are installed, not created
        }

        @Override
        public void remove(VolumeConfig volume) {
            // never delete an installed kernel
        }

        @Override
        public Optional<ActiveVolume> start(VolumeConfig volume) {
            if (volume.vid().isEmpty()) {
                return Optional.empty();
            }
            Path modules = dir.resolve(volume.vid()).resolve("modules.img");
            return Files.isRegularFile(modules) ? Optional.of(new ActiveVolume(modules, DiskFormat.RAW, Optional.empty()))
                    : Optional.empty();
        }

        @Override
        public void stop(VolumeConfig volume) {
        }

        @Override
        public boolean isRunning(VolumeConfig volume) {
            return false;
        }

        @Override
        public void verify(VolumeConfig volume) {
            if (!volume.vid().isEmpty() && !Files.isRegularFile(dir.resolve(volume.vid()).resolve("vmlinuz"))) {
                throw new StoragePoolException("kernel '" + volume.vid() + "' not found: " + dir.resolve(volume.vid()).resolve("vmlinuz")
                        + " does not exist (pool " + name + ")");
            }
        }

        @Override
        public List<Revision> revisions(VolumeConfig volume) {
            return List.of();
        }

        @Override
        public void revert(VolumeConfig volume, String revisionId) {
            throw new StoragePoolException("kernel volumes have no revisions (pool " + name + ")");
        }

        @Override
        public void resize(VolumeConfig volume, long newSize) {
            throw new StoragePoolException("kernel volumes cannot be resized (pool " + name + ")");
        }

        @Override
        public long usage(VolumeConfig volume) {
            return 0;
        }

        @Override
        public boolean isOutdated(VolumeConfig volume) {
            return false;
        }

        @Override
        public Optional<String> path(VolumeConfig volume) {
            return volume.vid().isEmpty() ? Optional.empty() : Optional.of(dir.resolve(volume.vid()).toString());
        }
    }
}
