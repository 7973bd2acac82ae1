package org.example.creationdate;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.qrexec.Dom0RpcCall;
import io.bulkhead.core.qrexec.Dom0RpcHandler;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The dom0 qrexec service {@code example.CreationDate}: tells the calling qube the date it was
 * created (from its tag), or exits 1 when it has none. A policy line must allow the call, e.g.
 * {@code example.CreationDate * @anyvm @adminvm allow}.
 */
@Component(property = Dom0RpcHandler.SERVICE_PROPERTY + "=" + CreationDateService.SERVICE)
public final class CreationDateService implements Dom0RpcHandler {

    static final String SERVICE = "example.CreationDate";

    private final DomainsService domains;

    @Activate
    public CreationDateService(@Reference DomainsService domains) {
        this.domains = domains;
    }

    @Override
    public int handle(Dom0RpcCall call) throws Exception {
        String date = domains.tags(call.source()).stream()
                .filter(t -> t.startsWith(CreationDateTagger.TAG_PREFIX))
                .map(t -> t.substring(CreationDateTagger.TAG_PREFIX.length()))
                .findFirst().orElse(null);
        if (date == null) {
            call.stderr().write(("no creation date recorded for " + call.source() + "\n").getBytes(StandardCharsets.UTF_8));
            return 1;
        }
        call.stdout().write((date + "\n").getBytes(StandardCharsets.UTF_8));
        return 0;
    }
}
