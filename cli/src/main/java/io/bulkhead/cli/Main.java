package io.bulkhead.cli;

import io.bulkhead.cli.policy.PolicyCommand;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bulkhead}: the command-line tools run by the {@code ./bulkhead} launcher. Each area is
 * a subcommand class; adding one is one entry in {@code subcommands} below.
 */
@Command(name = "bulkhead", mixinStandardHelpOptions = true, version = "bulkhead 0.1.0",
        description = "Bulkhead command-line tools.",
        subcommands = {
            PolicyCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    /** Runs a command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
