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
 * qvm-pool: {@code list} (the default) shows NAME and DRIVER of every storage pool; {@code drivers}, {@code info},
 * {@code add}, {@code remove} and {@code set} as Qubes' new syntax.
 */
@Command(name = "qvm-pool", description = "Manages Qubes pools and their options", sortOptions = false,
        subcommands = {QvmPool.ListPools.class, QvmPool.Drivers.class, QvmPool.Info.class, QvmPool.Add.class,
            QvmPool.Remove.class, QvmPool.Set.class})
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

    /** What every pool subcommand has: its tool, and -h. */
    abstract static class PoolCommand implements Callable<Integer> {
        @ParentCommand
        QvmPool tool;

        @Option(names = {"--help", "-h"}, usageHelp = true, description = "show this help message and exit")
        boolean help;
    }

    @Command(name = "list", aliases = {"l", "ls"}, description = "List all available pools")
    static final class ListPools extends PoolCommand {

        @Override
        public Integer call() {
            return tool.call();
        }
    }

    /** Runs a pool command, errors reported as the other tools do. */
    int guarded(Callable<Integer> command) {
        try {
            return command.call();
        } catch (QubesCallException e) {
            throw ToolError.runtime(e.getMessage());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw ToolError.runtime(String.valueOf(e.getMessage()));
        }
    }

    @Command(name = "drivers", aliases = "d", description = "List all drivers with their options")
    static final class Drivers extends PoolCommand {

        @Override
        public Integer call() {
            return tool.guarded(() -> {
                List<List<String>> table = new ArrayList<>();
                table.add(List.of("DRIVER", "OPTIONS"));
                for (String line : AdminSession.lines(tool.app().call("dom0", "admin.pool.ListDrivers"))) {
                    String[] words = line.split(" ");
                    table.add(List.of(words[0], String.join(", ", List.of(words).subList(1, words.length))));
                }
                TableWriter.print(tool.io().out(), table);
                return 0;
            });
        }
    }

    @Command(name = "info", aliases = "i", description = "Print info about the specified pools")
    static final class Info extends PoolCommand {

        @Parameters(paramLabel = "POOL_NAME", arity = "1..*", description = "pool")
        List<String> pools = new ArrayList<>();

        @Override
        public Integer call() {
            return tool.guarded(() -> {
                for (String pool : pools) {
                    List<List<String>> table = new ArrayList<>();
                    for (String line : AdminSession.lines(tool.app().call("dom0", "admin.pool.Info", pool))) {
                        int eq = line.indexOf('=');
                        table.add(List.of(line.substring(0, eq), line.substring(eq + 1)));
                    }
                    TableWriter.print(tool.io().out(), table);
                }
                return 0;
            });
        }
    }

    @Command(name = "add", aliases = "a", description = "Add a new pool")
    static final class Add extends PoolCommand {

        @Option(names = {"--option", "-o"}, paramLabel = "key=value", description = "Set option for the driver in name=value format")
        List<String> options = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "POOL_NAME", description = "pool name")
        String name;

        @Parameters(index = "1", paramLabel = "DRIVER", description = "pool driver")
        String driver;

        @Override
        public Integer call() {
            return tool.guarded(() -> {
                StringBuilder payload = new StringBuilder("name=").append(name).append('\n');
                for (String option : options) {
                    for (String pair : option.split(",")) {
                        payload.append(pair).append('\n');
                    }
                }
                tool.app().call("dom0", "admin.pool.Add", driver, payload.toString());
                return 0;
            });
        }
    }

    @Command(name = "remove", aliases = {"r", "rm"}, description = "Remove the specified pools")
    static final class Remove extends PoolCommand {

        @Parameters(paramLabel = "POOL_NAME", arity = "1..*", description = "pool")
        List<String> pools = new ArrayList<>();

        @Override
        public Integer call() {
            return tool.guarded(() -> {
                for (String pool : pools) {
                    tool.app().call("dom0", "admin.pool.Remove", pool);
                }
                return 0;
            });
        }
    }

    /** Qubes' {@code qvm-pool set POOL -o key=value[,key=value]}: one {@code admin.pool.Set.KEY} call per option. */
    @Command(name = "set", aliases = "s", description = "Modify driver options for a pool")
    static final class Set extends PoolCommand {

        @Option(names = {"--option", "-o"}, paramLabel = "key=value", required = true,
                description = "Set option for the driver in name=value format")
        List<String> options = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "POOL_NAME", description = "pool name")
        String name;

        @Override
        public Integer call() {
            List<String[]> pairs = new ArrayList<>();
            for (String option : options) {
                for (String pair : option.split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw ToolError.usage("invalid option '" + pair + "': expected key=value");
                    }
                    pairs.add(new String[] {pair.substring(0, eq), pair.substring(eq + 1)});
                }
            }
            return tool.guarded(() -> {
                for (String[] pair : pairs) {
                    tool.app().call("dom0", "admin.pool.Set." + pair[0], name, pair[1]);
                }
                return 0;
            });
        }
    }
}
