package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.AdminSession;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.Texts;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * qvm-create: {@code admin.vm.Create.<class>} (or {@code CreateInPool}) then the requested properties. Exit 1 when
 * creation fails, 2 when a property could not be set on the created qube (as Qubes').
 */
@Command(name = "qvm-create", description = "create a new domain", sortOptions = false)
public final class QvmCreate extends QvmTool {

    @Option(names = {"--class", "-C"}, paramLabel = "CLS", description = "specify the class of the new domain (default: AppVM)")
    String klass = "AppVM";

    @Option(names = "--standalone", description = "shortcut for --class StandaloneVM")
    boolean standalone;

    @Option(names = "--disp", description = "alias for --class DispVM --label red")
    boolean disp;

    @Option(names = {"--property", "--prop"}, paramLabel = "NAME=VALUE", description = "set domain's property, like \"internal\", \"memory\" or \"vcpus\"")
    List<String> properties = new ArrayList<>();

    @Option(names = {"--pool", "-p"}, paramLabel = "VOLUME_NAME=POOL_NAME", description = "specify the pool to use for a volume")
    List<String> pools = new ArrayList<>();

    @Option(names = "-P", paramLabel = "POOL_NAME", description = "change all volume pools to specified pool")
    String onePool = "";

    @Option(names = {"--template", "-t"}, paramLabel = "VALUE", description = "specify the TemplateVM to use")
    String template;

    @Option(names = {"--label", "-l"}, paramLabel = "VALUE", description = "specify the label to use for the new domain (e.g. red, yellow, green, ...)")
    String label;

    @Option(names = "--help-classes", description = "List available classes and exit")
    boolean helpClasses;

    @Option(names = {"--root-copy-from", "-r"}, paramLabel = "FILENAME", description = "use provided root.img instead of default/empty one (file will be COPIED); not supported by Bulkhead yet")
    String rootCopyFrom;

    @Option(names = {"--root-move-from", "-R"}, paramLabel = "FILENAME", description = "use provided root.img instead of default/empty one (file will be MOVED); not supported by Bulkhead yet")
    String rootMoveFrom;

    @Parameters(arity = "0..1", paramLabel = "VMNAME", description = "name of the domain to create")
    String name;

    @Override
    public Integer call() {
        if (helpClasses) {
            AdminSession.lines(app.call("dom0", "admin.vmclass.List")).forEach(io.out()::println);
            return 0;
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (String item : properties) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                throw ToolError.usage("Invalid property token: " + Texts.repr(item));
            }
            props.put(item.substring(0, eq), item.substring(eq + 1));
        }
        Map<String, String> volumePools = new TreeMap<>();
        for (String item : pools) {
            String[] parts = item.split("=", -1);
            if (parts.length != 2) {
                throw ToolError.usage("Pool argument must be of form: -p volume_name=pool_name");
            }
            volumePools.put(parts[0], parts[1]);
        }
        String cls = klass;
        String labelName = label;
        if (disp) {
            labelName = labelName == null ? props.getOrDefault("label", "red") : labelName;
            cls = "DispVM";
        }
        if (standalone) {
            cls = "StandaloneVM";
        }
        if (labelName == null) {
            labelName = props.remove("label");
        } else {
            props.remove("label");
        }
        String templateName = template != null ? template : props.remove("template");
        props.remove("template");
        if (labelName == null) {
            throw ToolError.usage("--label option is mandatory");
        }
        if (name == null) {
            throw ToolError.usage("VMNAME is mandatory");
        }
        if (rootCopyFrom != null && rootMoveFrom != null) {
            throw ToolError.usage("argument --root-move-from/-R: not allowed with argument --root-copy-from/-r");
        }
        if (rootCopyFrom != null || rootMoveFrom != null) {
            throw ToolError.runtime("--root-copy-from/--root-move-from: importing a root image is not supported by Bulkhead yet"
                    + " (admin.vm.volume.Import has no server side)");
        }
        List<String> labels = app.labels();
        if (!labels.contains(labelName)) {
            throw ToolError.usage("no such label: " + Texts.repr(labelName) + "; available: " + String.join(", ", labels));
        }
        if (!volumePools.isEmpty() && !onePool.isEmpty()) {
            log(true, "app", "Error creating VM: only one of pool= and pools= can be used");
            return 1;
        }
        try {
            if (cls.equals("StandaloneVM") && templateName != null) {
                // a template-based StandaloneVM is a clone of the template, as in Qubes
                new Cloner(this).cloneQube(domain(templateName).name(), name, cls, onePool, volumePools, false, List.of("private"));
            } else {
                app.call("dom0", Cloner.createMethod(cls, onePool, volumePools), templateName,
                        Cloner.createPayload(name, labelName, onePool, volumePools));
                app.forgetQubes();
            }
        } catch (QubesCallException e) {
            log(true, "app", "Error creating VM: " + e.getMessage());
            return 1;
        }
        int code = 0;
        for (Map.Entry<String, String> property : props.entrySet()) {
            try {
                app.call(name, "admin.vm.property.Set", property.getKey(), property.getValue());
            } catch (QubesCallException e) {
                log(true, "app", "Error setting property " + property.getKey() + " (but VM created): " + e.getMessage());
                code = 2;
            }
        }
        return code;
    }
}
