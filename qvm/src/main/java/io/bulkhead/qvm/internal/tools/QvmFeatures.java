package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.AdminSession;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.TableWriter;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** qvm-features: list, get, set or unset a qube's features. */
@Command(name = "qvm-features", description = "manage domain's features", sortOptions = false)
public final class QvmFeatures extends QvmTool {

    @Parameters(index = "0", paramLabel = "VMNAME", description = "a domain name")
    String vmname;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FEATURE", description = "name of the feature")
    String feature;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "new value of the feature")
    String value;

    @Option(names = {"--unset", "--default", "--delete", "-D"}, description = "unset the feature")
    boolean delete;

    @Override
    public Integer call() {
        String qube = domain(vmname).name();
        if (feature == null) {
            if (delete) {
                throw ToolError.usage("--unset requires a feature");
            }
            try {
                List<List<String>> rows = new ArrayList<>();
                for (String name : AdminSession.lines(app.call(qube, "admin.vm.feature.List"))) {
                    rows.add(List.of(name, app.call(qube, "admin.vm.feature.Get", name)));
                }
                TableWriter.print(io.out(), rows);
            } catch (QubesCallException e) {
                throw ToolError.runtime(e.getMessage());
            }
            return 0;
        }
        if (delete) {
            if (value != null) {
                throw ToolError.usage("cannot both set and unset a value");
            }
            try {
                app.call(qube, "admin.vm.feature.Remove", feature);
            } catch (QubesCallException e) {
                if (!e.isA("QubesFeatureNotFoundError")) {
                    throw ToolError.runtime(e.getMessage());
                }
            }
            return 0;
        }
        try {
            if (value == null) {
                io.out().println(app.call(qube, "admin.vm.feature.Get", feature));
                return 0;
            }
            app.call(qube, "admin.vm.feature.Set", feature, value);
            return 0;
        } catch (QubesCallException e) {
            if (e.isA("QubesFeatureNotFoundError")) {
                return 1;
            }
            throw ToolError.runtime(e.getMessage());
        }
    }
}
