package io.bulkhead.qvm.internal.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** qvm-prefs: a qube's properties. */
@Command(name = "qvm-prefs", description = "List, get, set or reset a qube's properties.", sortOptions = false)
public final class QvmPrefs extends PrefsTool {

    @Parameters(index = "0", paramLabel = "VMNAME", description = "a domain name")
    String vmname;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PROPERTY", description = "name of the property to show or change")
    String property;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "new value of the property")
    String value;

    @Override
    String methodPrefix() {
        return "admin.vm.property.";
    }

    @Override
    String target() {
        return domain(vmname).name();
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
