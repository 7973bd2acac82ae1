package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;

/**
 * A qube as named in a request (by name or {@code uuid:U}), resolved once against the system so
 * that matching against many rules needs no further lookups.
 */
final class QubeRef {
    /** The name or {@code uuid:U} as given. */
    final String raw;
    final boolean uuidForm;
    /** The qube, or {@code null} if the system has none by that key. */
    final QubeInfo info;
    /** {@code uuid:U} of the resolved qube, built on first use (most requests never need it). */
    private String uuidKey;
    /** Qubes' string test for dom0 spellings. */
    final boolean dom0;

    private QubeRef(String raw, QubeInfo info) {
        this.raw = raw;
        this.uuidForm = raw.startsWith("uuid:");
        this.info = info;
        this.dom0 = Token.isDom0(raw);
    }

    static QubeRef resolve(String raw, SystemView system) {
        return new QubeRef(raw, lookup(raw, system));
    }

    /** The qube addressed by a name or a {@code uuid:U} key, as Qubes' system-info dictionary does. */
    static QubeInfo lookup(String key, SystemView system) {
        if (key == null) {
            return null;
        }
        if (key.startsWith("uuid:")) {
            return system.byUuid(key.substring(5)).orElse(null);
        }
        return system.byName(key).orElse(null);
    }

    /**
     * Qubes' {@code match_strings}: a literal name or uuid against this qube reference. Names
     * and uuids of the same qube match each other; nothing else is interpreted.
     */
    boolean matchesLiteral(String literal, boolean literalIsUuid) {
        if (literalIsUuid) {
            return uuidForm ? literal.equals(raw) : literal.equals(uuidKey());
        }
        return uuidForm ? info != null && literal.equals(info.name()) : literal.equals(raw);
    }

    /** {@code uuid:U} of the resolved qube, or {@code null}. */
    String uuidKey() {
        if (uuidKey == null && info != null && info.uuid() != null) {
            uuidKey = "uuid:" + info.uuid();
        }
        return uuidKey;
    }

    boolean exists() {
        return info != null;
    }
}
