package io.bulkhead.core.policy;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link SystemView#of}: a fixed set of qubes with name and uuid indexes. */
final class IndexedSystemView implements SystemView {
    private final List<QubeInfo> qubes;
    private final Map<String, QubeInfo> byName = new HashMap<>();
    private final Map<String, QubeInfo> byUuid = new HashMap<>();

    IndexedSystemView(Collection<QubeInfo> qubes) {
        this.qubes = List.copyOf(qubes);
        for (QubeInfo qube : this.qubes) {
            if (byName.put(qube.name(), qube) != null) {
                throw new IllegalArgumentException("duplicate qube name: " + qube.name());
            }
            if (qube.uuid() != null && byUuid.put(qube.uuid(), qube) != null) {
                throw new IllegalArgumentException("duplicate qube uuid: " + qube.uuid());
            }
        }
    }

    @Override
    public Collection<QubeInfo> qubes() {
        return qubes;
    }

    @Override
    public Optional<QubeInfo> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public Optional<QubeInfo> byUuid(String uuid) {
        return Optional.ofNullable(byUuid.get(uuid));
    }
}
