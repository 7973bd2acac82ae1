package io.bulkhead.core.domains.storage;

import java.util.Map;
import java.util.Set;

/**
 * A storage driver (Qubes entry-point group {@code qubes.storage}). Register as an OSGi service
 * with {@value #DRIVER_PROPERTY}{@code =<name>}; core.domains opens every configured pool of that
 * driver with {@link #open(String, Map)}.
 */
public interface PoolDriver {

    /** Service property with the driver name, e.g. {@code driver=file}. */
    String DRIVER_PROPERTY = "driver";

    /** @return driver name, equal to the {@value #DRIVER_PROPERTY} service property */
    String name();

    /** @return accepted pool parameter names ({@code admin.pool.ListDrivers}) */
    Set<String> parameters();

    /**
     * Opens (or creates) a pool.
     *
     * @param poolName pool name
     * @param config   parameters (keys from {@link #parameters()}); unknown keys are refused
     * @throws io.bulkhead.core.domains.StoragePoolException on invalid configuration
     */
    Pool open(String poolName, Map<String, String> config);
}
