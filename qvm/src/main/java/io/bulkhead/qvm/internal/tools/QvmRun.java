package io.bulkhead.qvm.internal.tools;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.client.RunStream;
import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.Texts;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * qvm-run: run a shell command (or, with {@code --service}, a qrexec service) in a qube, starting or unpausing it
 * first unless {@code --no-autostart}.
 *
 * <p>The command runs through the methods {@code bulkhead.vm.Run+USER} (payload: the
 * shell command) and {@code bulkhead.vm.RunService+USER} (payload: {@code SERVICE[+ARG]}), whose answer streams the
 * output as {@link RunStream} frames. With {@code --pass-io} the {@code ...WithInput} variants also carry this tool's
 * standard input to the command; otherwise the command sees end of input.
 */
@Command(name = "qvm-run", description = "run a command or a service in a qube", sortOptions = false)
public final class QvmRun extends QvmTool {
    /** The method that runs a shell command in a qube; arg = user, payload = command. */
    public static final String RUN = "bulkhead.vm.Run";
    /** The method that calls a qrexec service in a qube; arg = user, payload = service name (+ argument). */
    public static final String RUN_SERVICE = "bulkhead.vm.RunService";
    /** With {@code --pass-io}: the same, and this tool's stdin becomes the command's ({@code LENGTH\n} before the payload). */
    public static final String RUN_WITH_INPUT = "bulkhead.vm.RunWithInput";
    public static final String RUN_SERVICE_WITH_INPUT = "bulkhead.vm.RunServiceWithInput";

    private static final List<String> LONG_WITH_VALUE = List.of("--user", "--localcmd", "--colour-output", "--color-output",
            "--colour-stderr", "--color-stderr", "--exclude");

    @Option(names = {"--user", "-u"}, paramLabel = "USER", description = "run command in a qube as USER (available only from dom0)")
    String user;

    @Option(names = {"--autostart", "--auto", "-a"}, description = "option ignored, this is default")
    boolean autostartFlag;

    @Option(names = {"--no-autostart", "--no-auto", "-n"}, description = "do not autostart/unpause qube")
    boolean noAutostart;

    @Option(names = {"--pass-io", "-p"}, description = "pass stdio from remote program")
    boolean passIo;

    @Option(names = "--localcmd", paramLabel = "COMMAND", description = "with --pass-io, pass stdio to the given program (not supported by Bulkhead yet)")
    String localcmd;

    @Option(names = "--gui", description = "run the command with GUI (Bulkhead has no GUI: ignored)")
    boolean gui;

    @Option(names = {"--no-gui", "--nogui"}, description = "run the command without GUI")
    boolean noGui;

    @Option(names = {"--colour-output", "--color-output"}, paramLabel = "COLOUR", description = "mark the qube output with given ANSI colour (ie. \"31\" for red)")
    String colourOutput;

    @Option(names = {"--colour-stderr", "--color-stderr"}, paramLabel = "COLOUR", description = "mark the qube stderr with given ANSI colour (ie. \"31\" for red)")
    String colourStderr;

    @Option(names = {"--no-colour-output", "--no-color-output"}, description = "disable colouring the stdio")
    boolean noColourOutput;

    @Option(names = {"--no-colour-stderr", "--no-color-stderr"}, description = "disable colouring the stderr")
    boolean noColourStderr;

    @Option(names = "--filter-escape-chars", description = "filter terminal escape sequences (default if output is terminal)")
    boolean filterEscapeChars;

    @Option(names = "--no-filter-escape-chars", description = "do not filter terminal escape sequences; DANGEROUS when output is a terminal emulator")
    boolean noFilterEscapeChars;

    @Option(names = "--service", description = "run a qrexec service (named by COMMAND) instead of shell command")
    boolean service;

    @Option(names = "--no-shell", description = "treat COMMAND as a simple executable, not a shell command")
    boolean noShell;

    @Option(names = "--dispvm", arity = "0..1", paramLabel = "DISPOSABLE_TEMPLATE", fallbackValue = "",
            description = "start a service in new disposable qube (not supported by Bulkhead yet)")
    String dispvm;

    @Option(names = "--all", description = "run command on all running qubes")
    boolean all;

    @Option(names = "--exclude", paramLabel = "EXCLUDE", description = "exclude the qube from --all")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "VMNAME COMMAND ARG", description = "qube, command or service to run, command arguments (imply --no-shell)")
    List<String> positionals = new ArrayList<>();

    /**
     * argparse's REMAINDER: everything from COMMAND on is the command, even what looks like an option; picocli gets
     * a {@code --} before COMMAND.
     */
    @Override
    public String[] rewriteArguments(String[] args) {
        boolean allGiven = false;
        int positional = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                return args;
            }
            if (arg.startsWith("--")) {
                allGiven |= arg.equals("--all");
                if (!arg.contains("=") && LONG_WITH_VALUE.contains(arg)) {
                    i++;
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                int u = arg.indexOf('u');
                if (u == arg.length() - 1) {
                    i++;
                }
            } else if (++positional == (allGiven ? 1 : 2)) {
                List<String> rewritten = new ArrayList<>(Arrays.asList(args));
                rewritten.add(i, "--");
                return rewritten.toArray(new String[0]);
            }
        }
        return args;
    }

    @Override
    public Integer call() {
        if (dispvm != null) {
            throw ToolError.runtime("--dispvm is not supported by Bulkhead yet (no disposable qubes from qvm-run)");
        }
        if (localcmd != null) {
            if (!passIo) {
                throw ToolError.usage("--localcmd have no effect without --pass-io");
            }
            throw ToolError.runtime("--localcmd is not supported by Bulkhead yet");
        }
        int needed = all ? 1 : 2;
        if (positionals.size() < needed) {
            throw ToolError.usage("the following arguments are required: " + (all || positionals.size() == 1 ? "COMMAND" : "VMNAME, COMMAND"));
        }
        String command = positionals.get(needed - 1);
        List<String> commandArgs = positionals.subList(needed, positionals.size());
        boolean filterEsc = noFilterEscapeChars ? false : filterEscapeChars || io.terminal();
        String outColour = noColourOutput ? null : colourOutput;
        String errColour = noColourStderr ? null : colourStderr;
        if (passIo && outColour == null && !noColourOutput && filterEsc) {
            outColour = "31";
        }
        if (outColour != null && !filterEsc) {
            throw ToolError.usage("--color-output must be used with --filter-escape-chars");
        }
        if (service && noShell) {
            throw ToolError.usage("--no-shell does not apply to --service");
        }
        List<QubeEntry> domains;
        if (all) {
            domains = domains(List.of(), true, exclude).stream()
                    .filter(q -> q.running() && !q.paused() && app.feature(q.name(), "internal").filter(v -> !v.isEmpty()).isEmpty())
                    .toList();
        } else {
            domains = domains(positionals.subList(0, 1), false, exclude);
        }
        if (domains.size() > 1 && passIo) {
            throw ToolError.usage("--passio cannot be used when more than 1 qube is chosen and no --localcmd is used");
        }
        int verbose = verbosity() - (passIo ? 1 : 0);
        String payload = service ? command : shellCommand(command, commandArgs);
        String method = service ? RUN_SERVICE : RUN;

        colour(outColour, errColour);
        int code = 0;
        try {
            for (QubeEntry qube : domains) {
                if (noAutostart && !qube.running()) {
                    note(verbose, "Qube '" + qube.name() + "' not started");
                    code = Math.max(code, 1);
                    continue;
                }
                if (qube.paused()) {
                    if (noAutostart) {
                        note(verbose, "Qube '" + qube.name() + "' is paused");
                        code = Math.max(code, 1);
                        continue;
                    }
                    try {
                        app.call(qube.name(), "admin.vm.Unpause");
                    } catch (QubesCallException e) {
                        note(verbose, "Qube '" + qube.name() + "' cannot be unpaused");
                        code = Math.max(code, 1);
                        continue;
                    }
                }
                note(verbose, "Running '" + command + "' on " + qube.name());
                int exit;
                try {
                    exit = run(qube, method, payload, filterEsc);
                } catch (QubesCallException e) {
                    log(true, qube.name(), e.getMessage());
                    return 255;
                }
                if (exit != 0 && verbose > 0) {
                    note(verbose, qube.name() + ": command failed with code: " + exit);
                }
                code = Math.max(code, exit);
            }
        } finally {
            resetColour(outColour, errColour);
        }
        return code;
    }

    /** Command and arguments as one shell command line (Qubes does the same when the qube has no VMExec). */
    private String shellCommand(String command, List<String> commandArgs) {
        if (commandArgs.isEmpty() && !noShell) {
            return command;
        }
        List<String> quoted = new ArrayList<>();
        quoted.add(Texts.shellQuote(command));
        commandArgs.forEach(arg -> quoted.add(Texts.shellQuote(arg)));
        return String.join(" ", quoted);
    }

    private int run(QubeEntry qube, String method, String payload, boolean filterEsc) {
        if (!qube.running()) {
            try {
                app.call(qube.name(), "admin.vm.Start");
            } catch (QubesCallException e) {
                if (!e.isA("QubesVMNotHaltedError")) {
                    throw e;
                }
            }
        }
        OutputStream stdout = passIo ? filtered(io.rawOut(), filterEsc) : null;
        OutputStream stderr = passIo ? filtered(io.rawErr(), filterEsc) : null;
        byte[] command = payload.getBytes(StandardCharsets.UTF_8);
        try (InputStream answer = passIo ? withInput(qube, method, command) : app.transport().open(qube.name(), method,
                user == null ? "" : user, command)) {
            return RunStream.copy(answer, stdout, stderr);
        } catch (IOException e) {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "lost the command's output: " + e.getMessage());
        }
    }

    /** {@code --pass-io} also passes stdin, as Qubes' qvm-run does: the input method, length-prefixed command. */
    private InputStream withInput(QubeEntry qube, String method, byte[] command) {
        String inputMethod = RUN.equals(method) ? RUN_WITH_INPUT : RUN_SERVICE_WITH_INPUT;
        byte[] prefix = (command.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] payload = java.util.Arrays.copyOf(prefix, prefix.length + command.length);
        System.arraycopy(command, 0, payload, prefix.length, command.length);
        return app.transport().openWithInput(qube.name(), inputMethod, user == null ? "" : user, payload, io.in());
    }

    /** qrexec-client's -t/-T: terminal control characters replaced by {@code _}. */
    private static OutputStream filtered(OutputStream out, boolean filter) {
        if (!filter) {
            return out;
        }
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                boolean control = (b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7f;
                out.write(control ? '_' : b);
            }

            @Override
            public void write(byte[] data, int offset, int length) throws IOException {
                byte[] copy = Arrays.copyOfRange(data, offset, offset + length);
                for (int i = 0; i < copy.length; i++) {
                    int b = copy[i] & 0xff;
                    if ((b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7f) {
                        copy[i] = '_';
                    }
                }
                out.write(copy);
            }
        };
    }

    /** A message on stderr, outside the colour the qube's stderr is marked with. */
    private void note(int verbose, String message) {
        if (verbose > 0) {
            io.err().println(colourStderr != null && !noColourStderr ? "\033[0m" + message + "\033[0;" + colourStderr + "m" : message);
        }
    }

    private void colour(String out, String err) {
        write(out, io.rawOut(), "\033[0;" + out + "m");
        write(err, io.rawErr(), "\033[0;" + err + "m");
    }

    private void resetColour(String out, String err) {
        write(out, io.rawOut(), "\033[0m");
        write(err, io.rawErr(), "\033[0m");
    }

    private static void write(String colour, OutputStream stream, String text) {
        if (colour == null) {
            return;
        }
        try {
            stream.write(text.getBytes(StandardCharsets.US_ASCII));
            stream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
