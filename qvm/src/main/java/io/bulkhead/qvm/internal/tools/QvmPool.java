package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.AdminSession;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.TableWriter;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * qvm-pool: {@code list} (the default) shows NAME and DRIVER of every storage pool. The other commands (drivers,
 * info, add, remove, set) are not supported by Bulkhead's Admin API yet and say so.
 */
@Command(name = "qvm-pool", description = "Manages Qubes pools and their options", sortOptions = false,
        subcommands = {QvmPool.ListPools.class, QvmPool.Unsupported.Drivers.class, QvmPool.Unsupported.Info.class,
            QvmPool.Unsupported.Add.class, QvmPool.Unsupported.Remove.class, QvmPool.Unsupported.Set.class})
public final class QvmPool extends QvmTool {

    @Option(names = {"-l", "--list"}, hidden = true, description = "legacy syntax of list")
    boolean legacyList;

    @Override
    public Integer call() {
        try {
            List<List<String>> table = new ArrayList<>();
            table.add(List.of("NAME", "DRIVER"));
            for (String pool : AdminSession.lines(app.call("dom0", "admin.pool.List"))) {
                table.add(List.of(pool, driver(pool)));
            }
            TableWriter.print(io.out(), table);
            return 0;
        } catch (QubesCallException e) {
            throw ToolError.runtime(e.getMessage());
        }
    }

    /** The {@code driver=} line of admin.pool.Info; {@code -} while the server does not serve that method. */
    private String driver(String pool) {
        try {
            for (String line : AdminSession.lines(app.call("dom0", "admin.pool.Info", pool))) {
                if (line.startsWith("driver=")) {
                    return line.substring("driver=".length());
                }
            }
            return "-";
        } catch (QubesCallException e) {
            if ("ProtocolError".equals(e.qubesClass()) && String.valueOf(e.getMessage()).contains("no such method")) {
                return "-";
            }
            throw e;
        }
    }

    @Command(name = "list", aliases = {"l", "ls"}, description = "List all available pools")
    static final class ListPools implements Callable<Integer> {
        @ParentCommand
        QvmPool tool;

        @Option(names = {"--help", "-h"}, usageHelp = true, description = "show this help message and exit")
        boolean help;

        @Override
        public Integer call() {
            return tool.call();
        }
    }

    /** Commands Bulkhead's Admin API cannot serve yet. */
    abstract static class Unsupported implements Callable<Integer> {
        @ParentCommand
        QvmPool tool;

        @Option(names = {"--help", "-h"}, usageHelp = true, description = "show this help message and exit")
        boolean help;

        @Option(names = {"--option", "-o"}, paramLabel = "OPTION", description = "ignored")
        List<String> options = new ArrayList<>();

        @Parameters(paramLabel = "ARG", description = "ignored")
        List<String> arguments = new ArrayList<>();

        @Override
        public Integer call() {
            String command = getClass().getAnnotation(Command.class).name();
            throw ToolError.runtime("'qvm-pool " + command + "' is not supported by Bulkhead yet: only 'qvm-pool list' is"
                    + " (the Admin API has no pool management methods besides admin.pool.List)");
        }

        @Command(name = "drivers", aliases = "d", description = "List all drivers with their options (not supported by Bulkhead yet)")
        static final class Drivers extends Unsupported {
        }

        @Command(name = "info", aliases = "i", description = "Print info about the specified pools (not supported by Bulkhead yet)")
        static final class Info extends Unsupported {
        }

        @Command(name = "add", aliases = "a", description = "Add a new pool (not supported by Bulkhead yet)")
        static final class Add extends Unsupported {
        }

        @Command(name = "remove", aliases = {"r", "rm"}, description = "Remove the specified pools (not supported by Bulkhead yet)")
        static final class Remove extends Unsupported {
        }

        @Command(name = "set", aliases = "s", description = "Modify driver options for a pool (not supported by Bulkhead yet)")
        static final class Set extends Unsupported {
        }
    }
}
