package io.bulkhead.core.domains.internal.policy;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.event.QubesEvent;
import io.bulkhead.core.domains.event.QubesEventListener;
import io.bulkhead.core.policy.SystemView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link SystemView} the qrexec policy engine evaluates against, taken from the live model.
 * It serves an immutable snapshot that is rebuilt lazily after any model event (property, feature,
 * tag, life-cycle), so repeated lookups between two changes see the same qubes.
 */
@Component(service = {SystemView.class, QubesEventListener.class})
public final class ModelSystemView implements SystemView, QubesEventListener {

    private final DomainsService domains;
    private volatile SystemView snapshot;

    @Activate
    public ModelSystemView(@Reference DomainsService domains) {
        this.domains = domains;
    }

    /** Any change may affect tags, power state, default_dispvm...: drop the snapshot. */
    @Override
    public void onEvent(QubesEvent event) {
        snapshot = null;
    }

    /** @return the current immutable snapshot (also usable by callers wanting one view per evaluation) */
    public SystemView snapshot() {
        SystemView s = snapshot;
        if (s == null) {
            s = SystemView.of(toPolicy(domains.list()));
            snapshot = s;
        }
        return s;
    }

    static List<io.bulkhead.core.policy.QubeInfo> toPolicy(List<QubeInfo> qubes) {
        List<io.bulkhead.core.policy.QubeInfo> out = new ArrayList<>(qubes.size());
        for (QubeInfo q : qubes) {
            out.add(new io.bulkhead.core.policy.QubeInfo(q.name(), q.klass().qubesName(), q.tags(), uuid(q.uuid()),
                    q.templateForDispvms(), q.defaultDispvm().orElse(null), q.powerState().qubesName(),
                    q.featureEnabled("internal")));
        }
        return out;
    }

    private static String uuid(UUID uuid) {
        return uuid.toString();
    }

    @Override
    public Collection<io.bulkhead.core.policy.QubeInfo> qubes() {
        return snapshot().qubes();
    }

    @Override
    public Optional<io.bulkhead.core.policy.QubeInfo> byName(String name) {
        return snapshot().byName(name);
    }

    @Override
    public Optional<io.bulkhead.core.policy.QubeInfo> byUuid(String uuid) {
        return snapshot().byUuid(uuid);
    }
}
