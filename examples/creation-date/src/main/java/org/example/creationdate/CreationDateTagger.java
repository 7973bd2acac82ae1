package org.example.creationdate;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.event.QubesEvent;
import io.bulkhead.core.domains.event.QubesEventListener;
import java.time.Clock;
import java.time.LocalDate;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Tags every new qube with {@code created-YYYY-MM-DD} (tags may only hold letters, digits, _ and -). */
@Component(property = QubesEventListener.EVENT_PATTERNS + "=domain-add")
public final class CreationDateTagger implements QubesEventListener {

    static final String TAG_PREFIX = "created-";

    private final DomainsService domains;
    private final Clock clock = Clock.systemDefaultZone();

    @Activate
    public CreationDateTagger(@Reference DomainsService domains) {
        this.domains = domains;
    }

    @Override
    public void onEvent(QubesEvent event) {
        // domain-add is an event of the whole collection, as in Qubes: the new qube is its argument "vm"
        String qube = event.arguments().get("vm");
        if (qube != null && !qube.isEmpty()) {
            domains.addTag(qube, TAG_PREFIX + LocalDate.now(clock));
        }
    }
}
