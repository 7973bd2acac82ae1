package io.bulkhead.core.policy;

import java.util.Collection;
import java.util.Optional;

/**
 * The set of qubes a policy evaluation sees. core.domains implements it over the live qube
 * model; tests and the CLI use {@link #of(Collection)}.
 *
 * <p>Implementations must return a consistent view for the duration of one evaluation; the
 * engine never modifies it. dom0 should be present as the {@code AdminVM} named {@code dom0}.
 */
public interface SystemView {

    /** Every qube, dom0 included. */
    Collection<QubeInfo> qubes();

    /** The qube with this exact name. Override with an index for large systems. */
    default Optional<QubeInfo> byName(String name) {
        for (QubeInfo qube : qubes()) {
            if (qube.name().equals(name)) {
                return Optional.of(qube);
            }
        }
        return Optional.empty();
    }

    /** The qube with this uuid (given without the {@code uuid:} prefix). */
    default Optional<QubeInfo> byUuid(String uuid) {
        for (QubeInfo qube : qubes()) {
            if (uuid.equals(qube.uuid())) {
                return Optional.of(qube);
            }
        }
        return Optional.empty();
    }

    /** An immutable, indexed view of these qubes (names must be unique). */
    static SystemView of(Collection<QubeInfo> qubes) {
        return new IndexedSystemView(qubes);
    }
}
