package io.bulkhead.core.domains;

import java.util.Objects;

/**
 * The value of a qube or global property in its Admin API serialised form.
 *
 * @param name      property name
 * @param type      property type
 * @param isDefault true when no value is stored and {@code value} was computed (follows the
 *                  template, global settings, ...)
 * @param value     serialised value: {@code True}/{@code False} for bools, decimal ints, label
 *                  names, qube names; {@code ""} for None
 */
public record PropertyValue(String name, PropertyType type, boolean isDefault, String value) {

    public PropertyValue {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** @return whether the value is None (empty) */
    public boolean isNone() {
        return value.isEmpty();
    }

    /** @return the value as int; throws {@link NumberFormatException} for non-int properties */
    public int asInt() {
        return Integer.parseInt(value);
    }

    /** @return the value as boolean ({@code True} is true) */
    public boolean asBoolean() {
        return "True".equals(value);
    }
}
