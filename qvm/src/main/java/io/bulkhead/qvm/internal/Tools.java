package io.bulkhead.qvm.internal;

import java.io.PrintWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bulkhead.qvm.client.AdminTransport;
import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.tools.BulkheadTools;
import io.bulkhead.qvm.internal.tools.QubesPrefs;
import io.bulkhead.qvm.internal.tools.QvmCheck;
import io.bulkhead.qvm.internal.tools.QvmClone;
import io.bulkhead.qvm.internal.tools.QvmCreate;
import io.bulkhead.qvm.internal.tools.QvmFeatures;
import io.bulkhead.qvm.internal.tools.QvmLs;
import io.bulkhead.qvm.internal.tools.QvmPool;
import io.bulkhead.qvm.internal.tools.QvmPower;
import io.bulkhead.qvm.internal.tools.QvmPrefs;
import io.bulkhead.qvm.internal.tools.QvmRemove;
import io.bulkhead.qvm.internal.tools.QvmRun;
import io.bulkhead.qvm.internal.tools.QvmShutdown;
import io.bulkhead.qvm.internal.tools.QvmStart;
import io.bulkhead.qvm.internal.tools.QvmTags;
import io.bulkhead.qvm.internal.tools.QvmTemplate;
import io.bulkhead.qvm.internal.tools.QvmVolume;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The tools by name, and the picocli set-up that makes them behave like argparse-based Qubes tools. */
public final class Tools {
    /** Every tool, sorted. */
    public static final List<String> NAMES = List.of("bulkhead-backend", "bulkhead-extensions", "bulkhead-install",
            "bulkhead-uninstall", "qubes-prefs", "qvm-check", "qvm-clone", "qvm-create", "qvm-features",
            "qvm-kill", "qvm-ls", "qvm-pause", "qvm-pool", "qvm-prefs", "qvm-remove", "qvm-run", "qvm-shutdown", "qvm-start",
            "qvm-tags", "qvm-template", "qvm-unpause", "qvm-volume");

    private static final Pattern MISSING = Pattern.compile("Missing required (?:parameters?|options?): (.*)");
    private static final Pattern UNKNOWN = Pattern.compile("(?:Unknown options?|Unmatched arguments? from index \\d+|Unmatched argument at index \\d+): (.*)");

    private Tools() {
    }

    /** @return a fresh instance of the tool; only that tool's classes get loaded (startup time matters) */
    public static QvmTool create(String name) {
        return switch (name) {
            case "qvm-ls" -> new QvmLs();
            case "qvm-prefs" -> new QvmPrefs();
            case "qubes-prefs" -> new QubesPrefs();
            case "qvm-features" -> new QvmFeatures();
            case "qvm-tags" -> new QvmTags();
            case "qvm-check" -> new QvmCheck();
            case "qvm-create" -> new QvmCreate();
            case "qvm-remove" -> new QvmRemove();
            case "qvm-clone" -> new QvmClone();
            case "qvm-start" -> new QvmStart();
            case "qvm-shutdown" -> new QvmShutdown();
            case "qvm-kill" -> new QvmPower.Kill();
            case "qvm-pause" -> new QvmPower.Pause();
            case "qvm-unpause" -> new QvmPower.Unpause();
            case "qvm-volume" -> new QvmVolume();
            case "qvm-pool" -> new QvmPool();
            case "qvm-template" -> new QvmTemplate();
            case "qvm-run" -> new QvmRun();
            case "bulkhead-install" -> new BulkheadTools.Install();
            case "bulkhead-uninstall" -> new BulkheadTools.Uninstall();
            case "bulkhead-extensions" -> new BulkheadTools.Extensions();
            case "bulkhead-backend" -> new BulkheadTools.Backend();
            default -> null;
        };
    }

    /**
     * Runs one tool to completion.
     *
     * @return the exit code: 0 ok, 1 runtime error, 2 usage error (some tools use others, as Qubes' do)
     */
    public static int run(String name, String[] args, Io io, AdminTransport transport) {
        QvmTool tool = create(name);
        if (tool == null) {
            io.err().println("qvm: unknown tool " + Texts.repr(name) + "; the tools are: " + String.join(", ", NAMES));
            io.flush();
            return 2;
        }
        tool.bind(io, new AdminSession(transport));
        try {
            return commandLine(tool, name, io).execute(tool.rewriteArguments(args));
        } finally {
            io.flush();
        }
    }

    static CommandLine commandLine(QvmTool tool, String name, Io io) {
        CommandLine commandLine = new CommandLine(tool);
        commandLine.setCommandName(name);
        commandLine.getCommandSpec().version(name + " (Bulkhead qvm tools, qubesadmin-compatible)");
        commandLine.setOut(io.out());
        commandLine.setErr(io.err());
        commandLine.setExpandAtFiles(false);
        commandLine.setOverwrittenOptionsAllowed(true);
        commandLine.setParameterExceptionHandler(Tools::usageError);
        commandLine.setExecutionExceptionHandler(Tools::failed);
        argparseLook(commandLine);
        return commandLine;
    }

    private static void argparseLook(CommandLine commandLine) {
        commandLine.getCommandSpec().usageMessage().synopsisHeading("usage: ").width(80);
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            argparseLook(sub);
        }
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        printUsageError(commandLine, argparseMessage(e.getMessage()));
        return 2;
    }

    private static void printUsageError(CommandLine commandLine, String message) {
        PrintWriter err = commandLine.getErr();
        err.print(commandLine.getHelp().synopsisHeading() + commandLine.getHelp().synopsis(0));
        err.println(commandLine.getCommandSpec().qualifiedName() + ": error: " + message);
    }

    /** picocli's wording turned into argparse's for the common cases. */
    static String argparseMessage(String message) {
        Matcher missing = MISSING.matcher(message);
        if (missing.matches()) {
            return "the following arguments are required: " + missing.group(1).replace("'", "").replaceAll("=[A-Z_]+", "");
        }
        Matcher unknown = UNKNOWN.matcher(message);
        if (unknown.matches()) {
            return "unrecognized arguments: " + unknown.group(1).replace("'", "").replace(", ", " ");
        }
        return message;
    }

    private static int failed(Exception e, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        String prog = commandLine.getCommandSpec().root().name();
        if (e instanceof ToolError error) {
            switch (error.kind()) {
                case USAGE -> printUsageError(commandLine, error.getMessage());
                case RUNTIME -> err.println(prog + ": error: " + error.getMessage());
                default -> { }
            }
            return error.exitCode();
        }
        if (e instanceof QubesCallException call) {
            err.println(prog + ": error: " + call.getMessage());
            return 1;
        }
        err.println(prog + ": error: unexpected failure: " + e);
        return 1;
    }
}
