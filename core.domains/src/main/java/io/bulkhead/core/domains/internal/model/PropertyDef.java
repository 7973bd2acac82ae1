package io.bulkhead.core.domains.internal.model;

import io.bulkhead.core.domains.PropertyInfo;
import io.bulkhead.core.domains.PropertyType;
import io.bulkhead.core.domains.QubeClass;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A declared property: type, flags, the classes that have it, how its default is computed and
 * what a new value must satisfy. For global properties the qube argument is {@code null}.
 */
public record PropertyDef(String name, PropertyType type, boolean writeOnce, boolean readOnly, boolean allowNone,
                          String help, Set<QubeClass> classes, DefaultFn defaultFn, SetCheck check) {

    /** Computes the value used while none is stored; empty = no default. */
    @FunctionalInterface
    public interface DefaultFn {
        Optional<String> compute(Model model, QubeRecord qube);
    }

    /** Validates a canonical new value beyond its type; throws a QubesException. */
    @FunctionalInterface
    public interface SetCheck {
        void check(Model model, QubeRecord qube, String value);

        SetCheck NONE = (m, q, v) -> { };
    }

    public PropertyInfo info() {
        return new PropertyInfo(name, type, writeOnce, readOnly, help);
    }

    public boolean appliesTo(QubeClass klass) {
        return classes.contains(klass);
    }

    /** Fluent construction. */
    public static Builder of(String name, PropertyType type, String help) {
        return new Builder(name, type, help);
    }

    public static final class Builder {
        private final String name;
        private final PropertyType type;
        private final String help;
        private boolean writeOnce;
        private boolean readOnly;
        private boolean allowNone;
        private Set<QubeClass> classes = EnumSet.allOf(QubeClass.class);
        private DefaultFn defaultFn = (m, q) -> Optional.empty();
        private SetCheck check = SetCheck.NONE;

        private Builder(String name, PropertyType type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        public Builder writeOnce() {
            writeOnce = true;
            return this;
        }

        public Builder readOnly() {
            readOnly = true;
            return this;
        }

        public Builder allowNone() {
            allowNone = true;
            return this;
        }

        public Builder classes(QubeClass first, QubeClass... rest) {
            classes = EnumSet.of(first, rest);
            return this;
        }

        public Builder notAdmin() {
            classes = EnumSet.complementOf(EnumSet.of(QubeClass.ADMIN_VM));
            return this;
        }

        public Builder defaultValue(DefaultFn fn) {
            defaultFn = fn;
            return this;
        }

        public Builder constant(String value) {
            defaultFn = (m, q) -> Optional.of(value);
            return this;
        }

        public Builder check(SetCheck c) {
            check = c;
            return this;
        }

        public PropertyDef build() {
            return new PropertyDef(name, type, writeOnce, readOnly, allowNone, help, classes, defaultFn, check);
        }
    }
}
