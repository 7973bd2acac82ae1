/**
 * Storage pool driver SPI with Qubes volume semantics (§5 of the reference):
 * <ul>
 * <li>{@code snap_on_start && !save_on_stop}: snapshot of {@code source}'s last committed state at
 * start, discarded at stop (AppVM root, DispVM private);</li>
 * <li>{@code !snap_on_start && save_on_stop}: origin, persistent; changes committed at stop and the
 * previous state kept as a revision ({@code revisions_to_keep}); revert restores one;</li>
 * <li>neither: volatile, fresh at start, discarded at stop.</li>
 * </ul>
 * Drivers are DS services of {@link io.bulkhead.core.domains.storage.PoolDriver} with service
 * property {@value io.bulkhead.core.domains.storage.PoolDriver#DRIVER_PROPERTY}{@code =<name>};
 * core.domains ships {@code file} and {@code linux-kernel}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.bulkhead.core.domains.storage;
