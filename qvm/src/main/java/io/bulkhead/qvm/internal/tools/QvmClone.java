package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** qvm-clone: a new qube with the source's class, label, template, non-default properties, tags, features and data. */
@Command(name = "qvm-clone", description = "Clone a domain", sortOptions = false)
public final class QvmClone extends QvmTool {

    @Parameters(index = "0", paramLabel = "VMNAME", description = "a domain name")
    String vmname;

    @Parameters(index = "1", paramLabel = "NEWVM", description = "name of the domain to create")
    String newName;

    @Option(names = {"--class", "-C"}, paramLabel = "CLS", description = "specify the class of the new domain (default: same as source)")
    String klass;

    @Option(names = "--ignore-errors", description = "log errors encountered during setting metadatabut continue clone operation")
    boolean ignoreErrors;

    @Option(names = "-P", paramLabel = "POOL", description = "pool to use for the new domain")
    String onePool = "";

    @Option(names = {"-p", "--pool"}, paramLabel = "VOLUME=POOL", description = "specify the pool to use for the specific volume")
    List<String> pools = new ArrayList<>();

    @Override
    public Integer call() {
        String source = domain(vmname).name();
        if (!onePool.isEmpty() && !pools.isEmpty()) {
            throw ToolError.usage("argument -p/--pool: not allowed with argument -P");
        }
        Map<String, String> volumePools = new TreeMap<>();
        for (String item : pools) {
            String[] parts = item.split("=", -1);
            if (parts.length != 2) {
                throw ToolError.usage("Pool argument must be of form: -p volume_name=pool_name");
            }
            volumePools.put(parts[0], parts[1]);
        }
        try {
            new Cloner(this).cloneQube(source, newName, klass, onePool, volumePools, ignoreErrors, List.of());
        } catch (QubesCallException e) {
            throw ToolError.runtime(e.getMessage());
        }
        return 0;
    }
}
