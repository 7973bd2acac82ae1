package io.bulkhead.core.domains.internal.model;

import io.bulkhead.core.domains.Label;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/** Everything persisted in the store. Not thread safe: guarded by the service's model lock. */
public final class ModelState {

    public final TreeMap<Integer, Label> labels = new TreeMap<>();
    public final LinkedHashMap<String, PoolConfig> pools = new LinkedHashMap<>();
    public final TreeMap<String, String> globals = new TreeMap<>();
    private final TreeMap<Integer, QubeRecord> byQid = new TreeMap<>();
    private final Map<String, QubeRecord> byName = new LinkedHashMap<>();

    public ModelState deepCopy() {
        ModelState c = new ModelState();
        c.labels.putAll(labels);
        c.pools.putAll(pools);
        c.globals.putAll(globals);
        for (QubeRecord q : byQid.values()) {
            c.add(q.copy());
        }
        return c;
    }

    /** Replaces this state's content with {@code other}'s (used to roll back a failed call). */
    public void restoreFrom(ModelState other) {
        labels.clear();
        labels.putAll(other.labels);
        pools.clear();
        pools.putAll(other.pools);
        globals.clear();
        globals.putAll(other.globals);
        byQid.clear();
        byName.clear();
        for (QubeRecord q : other.byQid.values()) {
            add(q);
        }
    }

    public void add(QubeRecord q) {
        if (byName.containsKey(q.name)) {
            throw new IllegalStateException("A VM named " + q.name + " already exists");
        }
        if (byQid.containsKey(q.qid)) {
            throw new IllegalStateException("A VM with qid " + q.qid + " already exists");
        }
        byQid.put(q.qid, q);
        byName.put(q.name, q);
    }

    public void remove(QubeRecord q) {
        byQid.remove(q.qid);
        byName.remove(q.name);
    }

    public Optional<QubeRecord> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<QubeRecord> byQid(int qid) {
        return Optional.ofNullable(byQid.get(qid));
    }

    public Optional<QubeRecord> byUuid(UUID uuid) {
        return byQid.values().stream().filter(q -> q.uuid.equals(uuid)).findFirst();
    }

    /** @return qubes ordered by qid (dom0 first) */
    public Iterable<QubeRecord> qubes() {
        return byQid.values();
    }

    public int size() {
        return byQid.size();
    }

    public Optional<Label> labelByName(String name) {
        return labels.values().stream().filter(l -> l.name().equals(name)).findFirst();
    }
}
