package io.bulkhead.core.domains;

import java.util.Objects;

/**
 * Static description of a property.
 *
 * @param name      property name
 * @param type      type
 * @param writeOnce can be set only while unset ({@code name}, {@code qid}, {@code uuid}, {@code dispid})
 * @param readOnly  computed, never settable nor stored ({@code klass}, {@code visible_ip}, ...)
 * @param help      one-line documentation ({@code admin.vm.property.Help})
 */
public record PropertyInfo(String name, PropertyType type, boolean writeOnce, boolean readOnly, String help) {

    public PropertyInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(help, "help");
    }
}
