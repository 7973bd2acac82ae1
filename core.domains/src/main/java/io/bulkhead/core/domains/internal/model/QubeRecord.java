package io.bulkhead.core.domains.internal.model;

import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.device.DeviceAssignment;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Mutable persistent state of one qube. {@code name}, {@code qid}, {@code uuid} are fields;
 * every other explicitly set property lives in {@link #props} in canonical serialised form.
 */
public final class QubeRecord {

    public final QubeClass klass;
    public final String name;
    public final int qid;
    public final UUID uuid;
    /** Explicitly set properties (not name/qid/uuid), canonical form. */
    public final TreeMap<String, String> props = new TreeMap<>();
    public final TreeMap<String, String> features = new TreeMap<>();
    public final TreeSet<String> tags = new TreeSet<>();
    public final LinkedHashMap<String, VolumeConfig> volumes = new LinkedHashMap<>();
    public final List<DeviceAssignment> devices = new ArrayList<>();

    public QubeRecord(QubeClass klass, String name, int qid, UUID uuid) {
        this.klass = klass;
        this.name = name;
        this.qid = qid;
        this.uuid = uuid;
    }

    public QubeRecord copy() {
        QubeRecord c = new QubeRecord(klass, name, qid, uuid);
        c.props.putAll(props);
        c.features.putAll(features);
        c.tags.addAll(tags);
        c.volumes.putAll(volumes);
        c.devices.addAll(devices);
        return c;
    }

    public boolean isAdmin() {
        return klass == QubeClass.ADMIN_VM;
    }

    /** @return explicit value or null */
    public String stored(String property) {
        return props.get(property);
    }

    @Override
    public String toString() {
        return name;
    }
}
