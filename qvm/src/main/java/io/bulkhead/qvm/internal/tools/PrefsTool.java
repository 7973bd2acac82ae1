package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.AdminSession;
import io.bulkhead.qvm.internal.PropertyValue;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.Texts;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Option;

/** qvm-prefs and qubes-prefs: list, get, set and reset properties of a qube or of the system (Qubes' process_actions). */
abstract class PrefsTool extends QvmTool {
    /** Qube-reference properties for which the value "none" means no qube. */
    private static final List<String> NONE_MEANS_EMPTY = List.of("default_dispvm", "netvm", "template", "guivm", "audiovm");

    @Option(names = "--help-properties", description = "list all available properties with short descriptions and exit")
    boolean helpProperties;

    @Option(names = "--hide-default", description = "Do not show properties that are set to the default value.")
    boolean hideDefault;

    @Option(names = {"--get", "-g"}, description = "Ignored; for compatibility with older scripts.")
    boolean get;

    @Option(names = {"--set", "-s"}, description = "Ignored; for compatibility with older scripts.")
    boolean set;

    @Option(names = {"--default", "-D"}, description = "reset property to its default value")
    boolean reset;

    /** @return {@code admin.vm.property.} or {@code admin.property.} */
    abstract String methodPrefix();

    /** @return the qube whose properties these are ({@code dom0} for global ones); resolves it */
    abstract String target();

    abstract String property();

    abstract String value();

    @Override
    public Integer call() {
        String target = target();
        if (helpProperties) {
            printHelp(target);
            return 0;
        }
        if (property() == null) {
            list(target);
            return 0;
        }
        String property = property().replace('-', '_');
        try {
            if (value() != null) {
                String value = value().equalsIgnoreCase("none") && NONE_MEANS_EMPTY.contains(property) ? "" : value();
                app.call(target, methodPrefix() + "Set", property, value);
                return 0;
            }
            if (reset) {
                app.call(target, methodPrefix() + "Reset", property);
                return 0;
            }
            PropertyValue value = PropertyValue.parse(app.call(target, methodPrefix() + "Get", property));
            if (!(hideDefault && value.isDefault()) && !value.none() && !value.unset()) {
                io.out().println(value.value());
            }
            return 0;
        } catch (QubesCallException e) {
            if (e.isA("QubesNoSuchPropertyError")) {
                throw ToolError.usage("no such property: " + Texts.repr(property));
            }
            throw ToolError.runtime(e.getMessage());
        }
    }

    private void list(String target) {
        Map<String, PropertyValue> all = target.equals("dom0") && methodPrefix().equals("admin.property.")
                ? app.globalProperties() : app.properties(target);
        List<String> names = new ArrayList<>(all.keySet());
        names.sort(null);
        int width = names.stream().mapToInt(String::length).max().orElse(0);
        for (String name : names) {
            PropertyValue value = all.get(name);
            String padded = Texts.pad(name, width);
            if (value.unset()) {
                io.out().println(padded + "  U");
            } else if (!value.isDefault()) {
                io.out().println(padded + "  -  " + value.display());
            } else if (!hideDefault) {
                io.out().println(padded + "  D  " + value.display());
            }
        }
    }

    private void printHelp(String target) {
        List<String> names = AdminSession.lines(app.call(target, methodPrefix() + "List"));
        names.sort(null);
        int width = names.stream().mapToInt(String::length).max().orElse(0);
        for (String name : names) {
            String help = app.call(target, methodPrefix() + "Help", name);
            io.out().println(Texts.wrap(Texts.pad(name, width) + "  " + help, 80, "  ", " ".repeat(width + 6)));
        }
    }
}
