package io.bulkhead.core.admin.internal.methods;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.internal.methods.MethodSpec.Destination;
import io.bulkhead.core.admin.internal.methods.MethodSpec.Rule;

/** The built-in methods by name; filled by the method groups at construction. */
public final class MethodTable {
    private final Map<String, MethodSpec> methods = new TreeMap<>();

    /** Adds a method; a name may be registered once. */
    public void add(String name, Rule argument, Rule payload, Destination destination, AdminMethod handler) {
        MethodSpec previous = methods.putIfAbsent(name, new MethodSpec(name, argument, payload, destination, handler));
        if (previous != null) {
            throw new IllegalStateException("method registered twice: " + name);
        }
    }

    /** @return the built-in method of that name */
    public Optional<MethodSpec> find(String name) {
        return Optional.ofNullable(methods.get(name));
    }

    /** @return every built-in method name, sorted */
    public Iterable<String> names() {
        return methods.keySet();
    }
}
