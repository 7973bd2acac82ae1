package io.bulkhead.core.domains.internal.storage;

import io.bulkhead.core.domains.StoragePoolException;
import io.bulkhead.core.domains.storage.Pool;
import io.bulkhead.core.domains.storage.PoolDriver;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Driver {@code file}: plain files in a directory, qcow2 overlays through qemu-img. */
public final class FilePoolDriver implements PoolDriver {

    public static final String NAME = "file";

    private final QemuImg qemuImg;

    public FilePoolDriver(QemuImg qemuImg) {
        this.qemuImg = qemuImg;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> parameters() {
        return Set.of("dir_path", "revisions_to_keep", "ephemeral_volatile");
    }

    @Override
    public Pool open(String poolName, Map<String, String> config) {
        for (String key : config.keySet()) {
            if (!parameters().contains(key)) {
                throw new StoragePoolException("pool '" + poolName + "': unknown parameter '" + key + "' for driver file "
                        + "(known: dir_path, revisions_to_keep, ephemeral_volatile)");
            }
        }
        String dir = config.get("dir_path");
        if (dir == null || dir.isEmpty() || !Path.of(dir).isAbsolute()) {
            throw new StoragePoolException("pool '" + poolName + "': dir_path must be an absolute directory, got '" + dir + "'");
        }
        int revisions;
        try {
            revisions = Integer.parseInt(config.getOrDefault("revisions_to_keep", "1"));
        } catch (NumberFormatException e) {
            throw new StoragePoolException("pool '" + poolName + "': revisions_to_keep must be an integer");
        }
        if (revisions < -1) {
            throw new StoragePoolException("pool '" + poolName + "': revisions_to_keep must be >= -1, got " + revisions);
        }
        if ("True".equalsIgnoreCase(config.getOrDefault("ephemeral_volatile", "False"))) {
            throw new StoragePoolException("pool '" + poolName + "': ephemeral_volatile is not supported by the file driver");
        }
        return new FilePool(poolName, Path.of(dir), revisions, config, qemuImg);
    }
}
