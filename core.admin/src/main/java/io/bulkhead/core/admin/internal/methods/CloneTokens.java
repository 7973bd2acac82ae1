package io.bulkhead.core.admin.internal.methods;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import io.bulkhead.core.domains.PermissionDenied;

/**
 * The tokens of {@code admin.vm.volume.CloneFrom}: 32 random hex characters naming a source
 * volume, kept in memory, good for one {@code CloneTo}. Only the most recent ones are kept, so a
 * caller that never redeems its tokens cannot grow dom0's memory.
 */
final class CloneTokens {
    private static final int KEPT = 256;

    /** A volume offered for cloning. */
    record Source(String qube, String volume) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Source> issued = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
            return size() > KEPT;
        }
    };

    synchronized String issue(String qube, String volume) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        issued.put(token, new Source(qube, volume));
        return token;
    }

    /** @throws PermissionDenied for an unknown, used or forgotten token, as qubesd refuses it */
    synchronized Source redeem(String token) {
        Source source = issued.remove(token);
        if (source == null) {
            throw new PermissionDenied("Invalid token: no volume was offered for cloning with it");
        }
        return source;
    }
}
