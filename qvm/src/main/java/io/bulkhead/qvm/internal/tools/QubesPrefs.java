package io.bulkhead.qvm.internal.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** qubes-prefs: global properties (default_netvm, default_template, ...). */
@Command(name = "qubes-prefs", description = "List, get, set or reset global properties.", sortOptions = false)
public final class QubesPrefs extends PrefsTool {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROPERTY", description = "name of the property to show or change")
    String property;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "new value of the property")
    String value;

    @Override
    String methodPrefix() {
        return "admin.property.";
    }

    @Override
    String target() {
        return "dom0";
    }

    @Override
    String property() {
        return property;
    }

    @Override
    String value() {
        return value;
    }
}
