package io.bulkhead.core.admin.internal.methods;

import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ADMIN_VM;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ANY;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.NONE;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.OPTIONAL;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.REQUIRED;

import java.util.List;
import java.util.Optional;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.PropertyValue;

/** {@code admin.vm.property.*} and the global {@code admin.property.*}, serialised as qubesd does. */
public final class PropertyMethods {
    private final DomainsService domains;

    public PropertyMethods(DomainsService domains) {
        this.domains = domains;
    }

    public void register(MethodTable table) {
        table.add("admin.vm.property.List", NONE, NONE, ANY, r -> lines(domains.propertyNames(r.destination())));
        table.add("admin.vm.property.Get", REQUIRED, NONE, ANY, r -> get(domains.getProperty(r.destination(), r.argument())));
        table.add("admin.vm.property.GetAll", NONE, NONE, ANY, r -> getAll(domains.getProperties(r.destination())));
        table.add("admin.vm.property.GetDefault", REQUIRED, NONE, ANY,
                r -> getDefault(domains.getPropertyDefault(r.destination(), r.argument())));
        table.add("admin.vm.property.Set", REQUIRED, OPTIONAL, ANY, r -> {
            domains.setProperty(r.destination(), r.argument(), r.payloadText());
            return "";
        });
        table.add("admin.vm.property.Reset", REQUIRED, NONE, ANY, r -> {
            domains.resetProperty(r.destination(), r.argument());
            return "";
        });
        table.add("admin.vm.property.Help", REQUIRED, NONE, ANY, r -> domains.propertyHelp(r.destination(), r.argument()));

        table.add("admin.property.List", NONE, NONE, ADMIN_VM, r -> lines(domains.globalPropertyNames()));
        table.add("admin.property.Get", REQUIRED, NONE, ADMIN_VM, r -> get(domains.getGlobalProperty(r.argument())));
        table.add("admin.property.GetAll", NONE, NONE, ADMIN_VM,
                r -> getAll(domains.globalPropertyNames().stream().map(domains::getGlobalProperty).toList()));
        table.add("admin.property.GetDefault", REQUIRED, NONE, ADMIN_VM,
                r -> getDefault(domains.getGlobalPropertyDefault(r.argument())));
        table.add("admin.property.Set", REQUIRED, OPTIONAL, ADMIN_VM, r -> {
            domains.setGlobalProperty(r.argument(), r.payloadText());
            return "";
        });
        table.add("admin.property.Reset", REQUIRED, NONE, ADMIN_VM, r -> {
            domains.resetGlobalProperty(r.argument());
            return "";
        });
        table.add("admin.property.Help", REQUIRED, NONE, ADMIN_VM, r -> domains.globalPropertyHelp(r.argument()));
    }

    /** {@code default=True|False type=T VALUE}. */
    static String get(PropertyValue value) {
        return "default=" + (value.isDefault() ? "True" : "False") + " type=" + value.type().apiName() + " " + value.value();
    }

    static String getDefault(Optional<PropertyValue> value) {
        return value.map(v -> "type=" + v.type().apiName() + " " + v.value()).orElse("");
    }

    /** {@code NAME default=.. type=.. VALUE} per line, sorted, with backslash and newline escaped. */
    static String getAll(List<PropertyValue> values) {
        StringBuilder out = new StringBuilder();
        values.stream().sorted(java.util.Comparator.comparing(PropertyValue::name)).forEach(value -> out.append(value.name()).append(' ')
                .append(get(value).replace("\\", "\\\\").replace("\n", "\\n")).append('\n'));
        return out.toString();
    }

    static String lines(Iterable<String> items) {
        StringBuilder out = new StringBuilder();
        items.forEach(item -> out.append(item).append('\n'));
        return out.toString();
    }

}
