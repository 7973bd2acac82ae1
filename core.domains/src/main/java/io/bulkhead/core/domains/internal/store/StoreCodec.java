package io.bulkhead.core.domains.internal.store;

import io.bulkhead.core.domains.Label;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.device.AssignmentMode;
import io.bulkhead.core.domains.device.DeviceAssignment;
import io.bulkhead.core.domains.internal.model.Model;
import io.bulkhead.core.domains.internal.model.ModelEnv;
import io.bulkhead.core.domains.internal.model.ModelState;
import io.bulkhead.core.domains.internal.model.PoolConfig;
import io.bulkhead.core.domains.internal.model.PropertyDef;
import io.bulkhead.core.domains.internal.model.QubeRecord;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Converts between {@link ModelState} and the XML binding, validating what it reads. */
public final class StoreCodec {

    public static final String FORMAT = "1";

    private StoreCodec() {
    }

    public static StoreXml.Root toXml(ModelState state) {
        StoreXml.Root root = new StoreXml.Root();
        root.format = FORMAT;
        for (Label l : state.labels.values()) {
            StoreXml.LabelXml x = new StoreXml.LabelXml();
            x.id = l.id();
            x.color = l.color();
            x.name = l.name();
            root.labels.add(x);
        }
        for (PoolConfig p : state.pools.values()) {
            StoreXml.PoolXml x = new StoreXml.PoolXml();
            x.name = p.name();
            x.driver = p.driver();
            x.params.putAll(new java.util.TreeMap<>(p.params()));
            root.pools.add(x);
        }
        state.globals.forEach((k, v) -> root.properties.add(new StoreXml.PropertyXml(k, v)));
        for (QubeRecord q : state.qubes()) {
            StoreXml.DomainXml d = new StoreXml.DomainXml();
            d.id = "domain-" + q.qid;
            d.klass = q.klass.qubesName();
            d.properties.add(new StoreXml.PropertyXml("qid", Integer.toString(q.qid)));
            d.properties.add(new StoreXml.PropertyXml("name", q.name));
            d.properties.add(new StoreXml.PropertyXml("uuid", q.uuid.toString()));
            q.props.forEach((k, v) -> d.properties.add(new StoreXml.PropertyXml(k, v)));
            q.features.forEach((k, v) -> d.features.add(new StoreXml.FeatureXml(k, v)));
            q.tags.forEach(t -> d.tags.add(new StoreXml.TagXml(t)));
            Map<String, StoreXml.DevicesXml> byClass = new LinkedHashMap<>();
            for (DeviceAssignment a : q.devices) {
                StoreXml.DevicesXml group = byClass.computeIfAbsent(a.deviceClass(), c -> {
                    StoreXml.DevicesXml g = new StoreXml.DevicesXml();
                    g.deviceClass = c;
                    return g;
                });
                StoreXml.DeviceXml dx = new StoreXml.DeviceXml();
                dx.backend = a.backendDomain();
                dx.port = a.port();
                dx.identity = a.deviceId();
                dx.mode = a.mode().qubesName();
                a.options().forEach((k, v) -> dx.options.add(new StoreXml.PropertyXml(k, v)));
                group.devices.add(dx);
            }
            d.devices.addAll(byClass.values());
            for (VolumeConfig v : q.volumes.values()) {
                StoreXml.VolumeXml vx = new StoreXml.VolumeXml();
                vx.name = v.name();
                vx.pool = v.pool();
                vx.vid = v.vid();
                vx.size = Long.toString(v.size());
                vx.rw = Model.bool(v.rw());
                vx.snapOnStart = Model.bool(v.snapOnStart());
                vx.saveOnStop = Model.bool(v.saveOnStop());
                vx.source = v.source().orElse(null);
                vx.revisionsToKeep = v.revisionsToKeep().map(String::valueOf).orElse(null);
                vx.ephemeral = Model.bool(v.ephemeral());
                d.volumes.add(vx);
            }
            root.domains.add(d);
        }
        return root;
    }

    /**
     * Builds the model from a parsed file.
     *
     * @throws IllegalArgumentException naming the element and problem (the caller adds the file name)
     */
    public static ModelState fromXml(StoreXml.Root root, ModelEnv env) {
        ModelState state = new ModelState();
        if (root.format != null && !root.format.equals(FORMAT)) {
            throw new IllegalArgumentException("unsupported bulkhead-format '" + root.format + "' (this version reads " + FORMAT + ")");
        }
        for (StoreXml.LabelXml l : nonNull(root.labels)) {
            if (l.id == null || !l.id.matches("label-[0-9]{1,9}") || l.name == null || l.color == null) {
                throw new IllegalArgumentException("<label> needs id=\"label-N\", color and a name, got id=" + l.id);
            }
            int index = Integer.parseInt(l.id.substring(6));
            if (state.labels.put(index, new Label(index, l.name.strip(), l.color)) != null) {
                throw new IllegalArgumentException("duplicate label " + l.id);
            }
        }
        for (StoreXml.PoolXml p : nonNull(root.pools)) {
            if (p.name == null || p.driver == null) {
                throw new IllegalArgumentException("<pool> needs name and driver attributes");
            }
            state.pools.put(p.name, new PoolConfig(p.name, p.driver, p.params));
        }
        for (StoreXml.PropertyXml g : nonNull(root.properties)) {
            if (g.name == null) {
                throw new IllegalArgumentException("global <property> without name");
            }
            state.globals.put(g.name, g.value == null ? "" : g.value);
        }
        Map<QubeRecord, List<StoreXml.PropertyXml>> pending = new LinkedHashMap<>();
        for (StoreXml.DomainXml d : nonNull(root.domains)) {
            String where = "domain " + d.id;
            QubeClass klass = QubeClass.fromQubesName(String.valueOf(d.klass))
                    .orElseThrow(() -> new IllegalArgumentException(where + ": unknown class '" + d.klass + "'"));
            Map<String, String> props = new LinkedHashMap<>();
            for (StoreXml.PropertyXml p : nonNull(d.properties)) {
                if (p.name == null) {
                    throw new IllegalArgumentException(where + ": <property> without name");
                }
                props.put(p.name, p.value == null ? "" : p.value);
            }
            String name = props.remove("name");
            String qid = props.remove("qid");
            String uuid = props.remove("uuid");
            if (name == null || qid == null || !qid.matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException(where + ": missing or invalid name/qid");
            }
            QubeRecord q;
            try {
                q = new QubeRecord(klass, name, Integer.parseInt(qid),
                        uuid == null || uuid.isEmpty() ? UUID.randomUUID() : UUID.fromString(uuid));
                state.add(q);
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " ('" + name + "'): " + e.getMessage());
            }
            List<StoreXml.PropertyXml> list = new ArrayList<>();
            props.forEach((k, v) -> list.add(new StoreXml.PropertyXml(k, v)));
            pending.put(q, list);
            for (StoreXml.FeatureXml f : nonNull(d.features)) {
                q.features.put(f.name, f.value == null ? "" : f.value);
            }
            for (StoreXml.TagXml t : nonNull(d.tags)) {
                q.tags.add(t.name);
            }
            for (StoreXml.DevicesXml group : nonNull(d.devices)) {
                for (StoreXml.DeviceXml dx : nonNull(group.devices)) {
                    Map<String, String> options = new LinkedHashMap<>();
                    nonNull(dx.options).forEach(o -> options.put(o.name, o.value == null ? "" : o.value));
                    AssignmentMode mode = AssignmentMode.fromQubesName(String.valueOf(dx.mode)).orElseThrow(
                            () -> new IllegalArgumentException(where + ": device " + dx.port + " has unknown mode '" + dx.mode + "'"));
                    q.devices.add(new DeviceAssignment(group.deviceClass, dx.backend, dx.port,
                            dx.identity == null ? "*" : dx.identity, mode, options));
                }
            }
            for (StoreXml.VolumeXml vx : nonNull(d.volumes)) {
                try {
                    VolumeConfig v = new VolumeConfig(vx.name, vx.pool, vx.vid, Long.parseLong(String.valueOf(vx.size)),
                            "True".equals(vx.rw), "True".equals(vx.snapOnStart), "True".equals(vx.saveOnStop),
                            Optional.ofNullable(vx.source), Optional.ofNullable(vx.revisionsToKeep).map(Integer::valueOf),
                            "True".equals(vx.ephemeral));
                    q.volumes.put(v.name(), v);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(where + " ('" + name + "'): invalid volume " + vx.name + ": " + e.getMessage());
                }
            }
        }
        // References are resolved once every qube is known (Qubes' load stage 4).
        Model model = new Model(state, env);
        for (Map.Entry<String, String> g : new ArrayList<>(state.globals.entrySet())) {
            try {
                PropertyDef d = model.globalDef(g.getKey());
                state.globals.put(g.getKey(), model.canonical(d, "global properties", g.getValue()));
            } catch (QubesException e) {
                throw new IllegalArgumentException("global property " + g.getKey() + ": " + e.getMessage());
            }
        }
        for (Map.Entry<QubeRecord, List<StoreXml.PropertyXml>> e : pending.entrySet()) {
            QubeRecord q = e.getKey();
            for (StoreXml.PropertyXml p : e.getValue()) {
                try {
                    PropertyDef d = model.def(q, p.name);
                    if (d.readOnly()) {
                        throw new IllegalArgumentException("read-only property cannot be stored");
                    }
                    q.props.put(p.name, model.canonical(d, "'" + q.name + "'", p.value));
                } catch (QubesException | IllegalArgumentException ex) {
                    throw new IllegalArgumentException("domain-" + q.qid + " ('" + q.name + "'): property " + p.name + ": "
                            + ex.getMessage());
                }
            }
        }
        return state;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
