package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.PropertyValue;
import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QubeSelection;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** qvm-remove: remove qubes after confirmation; explains what still uses a qube that cannot be removed. */
@Command(name = "qvm-remove", description = "Remove domains from the system", sortOptions = false)
public final class QvmRemove extends QvmTool {
    private static final List<String> GLOBAL_REFERENCES = List.of("default_dispvm", "default_netvm", "default_guivm",
            "default_audiovm", "default_template", "clockvm", "updatevm", "management_dispvm");
    private static final List<String> QUBE_REFERENCES = List.of("template", "netvm", "guivm", "audiovm", "default_dispvm",
            "management_dispvm");

    @Option(names = {"--force", "-f"}, description = "Do not prompt for confirmation")
    boolean force;

    @Mixin
    QubeSelection qubes = new QubeSelection();

    @Override
    public Integer call() {
        List<QubeEntry> domains = domains(qubes);
        if (domains.stream().anyMatch(q -> q.name().equals("dom0"))) {
            io.err().println("Domain 'dom0' cannot be removed.");
            return 1;
        }
        if (qubes.all() && !force && qubes.exclude().isEmpty()) {
            io.err().println("WARNING!!! Removing all domains may leave your system in an unrecoverable state!");
            if (!"IKNOWWHATIAMDOING".equals(io.readLine("Are you certain? [N/IKNOWWHATIAMDOING]"))) {
                io.err().println("Remove cancelled.");
                return 1;
            }
        }
        if (!force) {
            io.err().println("This will completely remove the selected VM(s)...");
            for (QubeEntry qube : domains) {
                io.out().println("  " + qube.name());
            }
            String answer = io.readLine("Are you sure? [y/N] ");
            if (answer == null || !answer.toUpperCase(Locale.ROOT).equals("Y")) {
                io.err().println("Remove cancelled.");
                return 1;
            }
        }
        for (QubeEntry qube : domains) {
            try {
                app.call(qube.name(), "admin.vm.Remove");
            } catch (QubesCallException e) {
                if (e.isA("QubesVMInUseError")) {
                    explainUse(qube.name());
                }
                throw ToolError.runtime(e.getMessage());
            }
        }
        app.forgetQubes();
        return 0;
    }

    /** Qubes' {@code vm_dependencies}: global properties and other qubes' non-default references to the qube. */
    private void explainUse(String name) {
        List<String> uses = new ArrayList<>();
        Map<String, PropertyValue> global = app.globalProperties();
        for (String property : GLOBAL_REFERENCES) {
            PropertyValue value = global.get(property);
            if (value != null && name.equals(value.value())) {
                uses.add(" - global property " + property);
            }
        }
        for (QubeEntry other : app.qubes()) {
            if (other.name().equals(name)) {
                continue;
            }
            Map<String, PropertyValue> props = app.properties(other.name());
            boolean preload = props.containsKey("is_preload") && "True".equals(props.get("is_preload").value());
            for (String property : QUBE_REFERENCES) {
                PropertyValue value = props.get(property);
                if (value == null || value.isDefault() || !name.equals(value.value())) {
                    continue;
                }
                // a preloaded disposable goes away with its template
                if (preload && property.equals("template")) {
                    continue;
                }
                uses.add(" - " + property + " for " + other.name());
            }
        }
        if (!uses.isEmpty()) {
            io.err().println("VM " + name + " cannot be removed. It is in use as:");
            uses.forEach(io.err()::println);
        }
    }
}
