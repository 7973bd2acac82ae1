package io.bulkhead.core.domains.hal;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a backend can do, as reported by {@link Hypervisor#capabilities()}.
 *
 * @param accelerator how guest CPUs run (may change after a runtime probe, so query again rather
 *                    than caching)
 * @param supported   the optional operations the backend implements
 */
public record HypervisorCapabilities(Accelerator accelerator, Set<Capability> supported) {

    public HypervisorCapabilities {
        Objects.requireNonNull(accelerator, "accelerator");
        supported = supported.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(supported));
    }

    /** @return whether {@code capability} is supported */
    public boolean supports(Capability capability) {
        return supported.contains(capability);
    }
}
