package io.bulkhead.core.domains.internal.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A fixed set of property definitions looked up by name, in the order they were declared. */
public abstract class PropertyCatalogue {

    private final Map<String, PropertyDef> defs;

    protected PropertyCatalogue(List<PropertyDef> declared) {
        Map<String, PropertyDef> m = new LinkedHashMap<>();
        for (PropertyDef d : declared) {
            m.put(d.name(), d);
        }
        defs = Collections.unmodifiableMap(m);
    }

    public Optional<PropertyDef> def(String name) {
        return Optional.ofNullable(defs.get(name));
    }

    public Iterable<PropertyDef> all() {
        return defs.values();
    }
}
