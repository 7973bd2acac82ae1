package io.bulkhead.core.domains.internal.model;

import io.bulkhead.core.domains.PowerState;
import java.nio.file.Path;

/** What property defaults and checks need from outside the persisted state. */
public interface ModelEnv {

    /** @return current power state of a qube */
    PowerState powerState(String qube);

    /** @return whether the selected hypervisor can balance memory (Qubes: only Xen) */
    boolean memoryBalancingPossible();

    /** @return host RAM in MiB */
    long hostMemoryMiB();

    /** @return host CPU count */
    int hostCpus();

    /** @return directory holding {@code <kernel>/vmlinuz} (the linux-kernel pool's dir) */
    Path kernelsDir();

    /** @return start time of a running qube in seconds since the epoch, {@code ""} when halted */
    default String startTime(String qube) {
        return "";
    }

    /** @return whether a storage pool of that name is configured */
    default boolean poolExists(String pool) {
        return true;
    }
}
