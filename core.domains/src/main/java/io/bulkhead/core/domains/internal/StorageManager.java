package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubesPoolNotFoundError;
import io.bulkhead.core.domains.StoragePoolException;
import io.bulkhead.core.domains.internal.model.Model;
import io.bulkhead.core.domains.internal.model.PoolConfig;
import io.bulkhead.core.domains.internal.model.QubeRecord;
import io.bulkhead.core.domains.internal.storage.FilePoolDriver;
import io.bulkhead.core.domains.internal.storage.LinuxKernelPoolDriver;
import io.bulkhead.core.domains.internal.storage.QemuImg;
import io.bulkhead.core.domains.storage.Pool;
import io.bulkhead.core.domains.storage.PoolDriver;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pool drivers (built-in {@code file} and {@code linux-kernel}, plus whiteboard ones), opened
 * pools, and the default volume layout of each qube class (reference §5.2).
 */
final class StorageManager {

    static final long GIB = 1024L * 1024 * 1024;
    static final long ROOT_SIZE = 10 * GIB;
    static final long PRIVATE_SIZE = 2 * GIB;
    static final long VOLATILE_SIZE = 10 * GIB;
    static final long DISP_VOLATILE_SIZE = 12 * GIB;

    private final Map<String, PoolDriver> drivers = new ConcurrentHashMap<>();
    private final Map<String, Pool> opened = new ConcurrentHashMap<>();

    StorageManager(QemuImg qemuImg) {
        drivers.put(FilePoolDriver.NAME, new FilePoolDriver(qemuImg));
        drivers.put(LinuxKernelPoolDriver.NAME, new LinuxKernelPoolDriver());
    }

    void addDriver(PoolDriver driver) {
        drivers.put(driver.name(), driver);
        opened.values().removeIf(p -> p.driver().equals(driver.name()));
    }

    void removeDriver(PoolDriver driver) {
        if (drivers.remove(driver.name(), driver)) {
            opened.values().removeIf(p -> p.driver().equals(driver.name()));
        }
    }

    /** @return driver name to accepted parameter names */
    Map<String, java.util.Set<String>> drivers() {
        Map<String, java.util.Set<String>> out = new java.util.TreeMap<>();
        drivers.forEach((k, v) -> out.put(k, new java.util.TreeSet<>(v.parameters())));
        return out;
    }

    /** Opens (cached) the configured pool. */
    Pool pool(Model model, String name) {
        PoolConfig cfg = model.state().pools.get(name);
        if (cfg == null) {
            throw new QubesPoolNotFoundError("No such storage pool: '" + name + "'");
        }
        Pool cached = opened.get(name);
        if (cached != null && cached.driver().equals(cfg.driver()) && cached.config().equals(cfg.params())) {
            return cached;
        }
        PoolDriver driver = drivers.get(cfg.driver());
        if (driver == null) {
            throw new StoragePoolException("Storage pool '" + name + "' uses driver '" + cfg.driver()
                    + "', which is not available (no PoolDriver service with driver=" + cfg.driver() + ")");
        }
        Pool pool = driver.open(name, cfg.params());
        opened.put(name, pool);
        return pool;
    }

    Pool pool(Model model, VolumeConfig volume) {
        return pool(model, volume.pool());
    }

    /** Qubes-like vid: {@code vm-templates/<name>/<vol>} for templates, {@code appvms/<name>/<vol>} otherwise. */
    static String vid(QubeClass klass, String qube, String volume) {
        return (klass == QubeClass.TEMPLATE_VM ? "vm-templates/" : "appvms/") + qube + "/" + volume;
    }

    /** Builds the default volume configuration of a new qube. */
    Map<String, VolumeConfig> defaultVolumes(Model model, QubeRecord q) {
        Map<String, VolumeConfig> v = new LinkedHashMap<>();
        String rootPool = model.globalValue("default_pool_root");
        String privatePool = model.globalValue("default_pool_private");
        String volatilePool = model.globalValue("default_pool_volatile");
        String kernelPool = model.globalValue("default_pool_kernel");
        switch (q.klass) {
            case TEMPLATE_VM:
            case STANDALONE_VM:
                v.put("root", origin(q, "root", rootPool, ROOT_SIZE));
                v.put("private", origin(q, "private", privatePool, PRIVATE_SIZE));
                v.put("volatile", volatileVolume(q, volatilePool, VOLATILE_SIZE));
                break;
            case APP_VM: {
                QubeRecord template = model.template(q).orElseThrow();
                VolumeConfig troot = template.volumes.get("root");
                v.put("root", snapshotOf(q, "root", troot, true));
                v.put("private", origin(q, "private", privatePool, PRIVATE_SIZE));
                v.put("volatile", volatileVolume(q, volatilePool, VOLATILE_SIZE));
                break;
            }
            case DISP_VM: {
                QubeRecord dvm = model.template(q).orElseThrow();
                VolumeConfig dvmRoot = dvm.volumes.get("root");
                VolumeConfig dvmPrivate = dvm.volumes.get("private");
                if (dvmRoot == null || dvmPrivate == null) {
                    throw new StoragePoolException("Disposable template '" + dvm.name + "' has no root/private volume");
                }
                // the DispVM's root snapshots what the AppVM's root snapshots: the TemplateVM root
                VolumeConfig rootSource = dvmRoot.snapOnStart()
                        ? new VolumeConfig("root", dvmRoot.pool(), dvmRoot.source().orElseThrow(), dvmRoot.size(), true,
                                false, true, Optional.empty(), Optional.empty(), false)
                        : dvmRoot;
                v.put("root", snapshotOf(q, "root", rootSource, true));
                v.put("private", snapshotOf(q, "private", dvmPrivate, true));
                v.put("volatile", volatileVolume(q, volatilePool, DISP_VOLATILE_SIZE));
                break;
            }
            default:
                return v;
        }
        if (model.state().pools.containsKey(kernelPool)) {
            v.put("kernel", new VolumeConfig("kernel", kernelPool, model.value(q, "kernel"), 0, false, false, false,
                    Optional.empty(), Optional.empty(), false));
        }
        return v;
    }

    private static VolumeConfig origin(QubeRecord q, String name, String pool, long size) {
        return new VolumeConfig(name, pool, vid(q.klass, q.name, name), size, true, false, true, Optional.empty(),
                Optional.empty(), false);
    }

    private static VolumeConfig volatileVolume(QubeRecord q, String pool, long size) {
        return new VolumeConfig("volatile", pool, vid(q.klass, q.name, "volatile"), size, true, false, false,
                Optional.empty(), Optional.empty(), false);
    }

    /** A snap_on_start volume of {@code source}, in the source's pool (required by Qubes). */
    static VolumeConfig snapshotOf(QubeRecord q, String name, VolumeConfig source, boolean rw) {
        if (source == null) {
            throw new StoragePoolException("Cannot create volume " + name + " of '" + q.name + "': its source volume is missing");
        }
        return new VolumeConfig(name, source.pool(), vid(q.klass, q.name, name), source.size(), rw, true, false,
                Optional.of(source.vid()), Optional.empty(), false);
    }
}
