package io.bulkhead.core.domains.internal.model;

import java.util.Map;
import java.util.Objects;

/** A configured pool (qubes.xml {@code <pool>}): name, driver, driver parameters. */
public record PoolConfig(String name, String driver, Map<String, String> params) {

    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        params = Map.copyOf(params);
    }
}
