package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deterministic random workload for the crash test. Both the child (which applies it to a real
 * service) and the parent (which predicts the store content) drive it from the same seed and the
 * same projection of the model, so the parent knows exactly what every acknowledged call changed.
 */
final class CrashWorkload {

    /** What the test compares: per qube label, explicit memory, features, tags. */
    record QubeState(String klass, String label, String memory, TreeMap<String, String> features, TreeSet<String> tags) {
        QubeState copy() {
            return new QubeState(klass, label, memory, new TreeMap<>(features), new TreeSet<>(tags));
        }
    }

    static final String[] LABELS = {"red", "orange", "yellow", "green", "gray", "blue", "purple", "black"};

    /** One mutation: applied to the service and to the projection alike. */
    interface Mutation {
        void apply(DomainsService service);

        void apply(TreeMap<String, QubeState> projection);
    }

    private CrashWorkload() {
    }

    static TreeMap<String, QubeState> project(DomainsService s) {
        TreeMap<String, QubeState> p = new TreeMap<>();
        for (QubeInfo q : s.list()) {
            if (q.klass() == QubeClass.ADMIN_VM) {
                continue;
            }
            String memory = s.getProperty(q.name(), "memory").isDefault() ? null : s.getProperty(q.name(), "memory").value();
            p.put(q.name(), new QubeState(q.klass().qubesName(), q.label(), memory, new TreeMap<>(q.features()),
                    new TreeSet<>(q.tags())));
        }
        return p;
    }

    static TreeMap<String, QubeState> copy(TreeMap<String, QubeState> p) {
        TreeMap<String, QubeState> c = new TreeMap<>();
        p.forEach((k, v) -> c.put(k, v.copy()));
        return c;
    }

    /** Picks the next valid mutation for the current projection. */
    static Mutation next(Random r, TreeMap<String, QubeState> p) {
        if (!p.containsKey("base")) {
            return create("base", QubeClass.TEMPLATE_VM, "black");
        }
        List<String> apps = new ArrayList<>();
        p.forEach((k, v) -> {
            if (v.klass().equals("AppVM")) {
                apps.add(k);
            }
        });
        int kind = r.nextInt(10);
        if (apps.size() < 3 || (kind == 0 && apps.size() < 40)) {
            String name;
            do {
                name = "q" + r.nextInt(1000);
            } while (p.containsKey(name));
            return create(name, QubeClass.APP_VM, LABELS[r.nextInt(LABELS.length)]);
        }
        String target = apps.get(r.nextInt(apps.size()));
        QubeState q = p.get(target);
        switch (kind) {
            case 1:
                return removeQube(target);
            case 2:
            case 3: {
                String memory = Integer.toString(100 + r.nextInt(4000));
                return mutation(s -> s.setProperty(target, "memory", memory), m -> m.put(target, withMemory(m.get(target), memory)));
            }
            case 4: {
                String label = LABELS[r.nextInt(LABELS.length)];
                return mutation(s -> s.setProperty(target, "label", label), m -> m.put(target, withLabel(m.get(target), label)));
            }
            case 5:
            case 6: {
                String key = "f" + r.nextInt(5);
                String value = Long.toHexString(r.nextLong());
                return mutation(s -> s.setFeature(target, key, value), m -> m.get(target).features().put(key, value));
            }
            case 7: {
                if (q.features().isEmpty()) {
                    return mutation(s -> s.resetProperty(target, "memory"), m -> m.put(target, withMemory(m.get(target), null)));
                }
                String key = q.features().firstKey();
                return mutation(s -> s.removeFeature(target, key), m -> m.get(target).features().remove(key));
            }
            case 8: {
                String tag = "t" + r.nextInt(6);
                return mutation(s -> s.addTag(target, tag), m -> m.get(target).tags().add(tag));
            }
            default: {
                if (q.tags().isEmpty()) {
                    String tag = "t" + r.nextInt(6);
                    return mutation(s -> s.addTag(target, tag), m -> m.get(target).tags().add(tag));
                }
                String tag = q.tags().first();
                return mutation(s -> s.removeTag(target, tag), m -> m.get(target).tags().remove(tag));
            }
        }
    }

    private static QubeState withMemory(QubeState q, String memory) {
        return new QubeState(q.klass(), q.label(), memory, q.features(), q.tags());
    }

    private static QubeState withLabel(QubeState q, String label) {
        return new QubeState(q.klass(), label, q.memory(), q.features(), q.tags());
    }

    private static Mutation create(String name, QubeClass klass, String label) {
        return mutation(s -> s.create(klass, name, label, klass == QubeClass.APP_VM ? Map.of("template", "base") : Map.of()),
                m -> m.put(name, new QubeState(klass.qubesName(), label, null, new TreeMap<>(), new TreeSet<>())));
    }

    private static Mutation removeQube(String name) {
        return mutation(s -> s.remove(name), m -> m.remove(name));
    }

    private static Mutation mutation(java.util.function.Consumer<DomainsService> onService,
                                     java.util.function.Consumer<TreeMap<String, QubeState>> onProjection) {
        return new Mutation() {
            @Override
            public void apply(DomainsService service) {
                onService.accept(service);
            }

            @Override
            public void apply(TreeMap<String, QubeState> projection) {
                onProjection.accept(projection);
            }
        };
    }
}
