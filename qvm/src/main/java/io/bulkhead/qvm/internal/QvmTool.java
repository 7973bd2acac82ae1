package io.bulkhead.qvm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every qvm-* tool shares, after qubesadmin's {@code QubesArgumentParser}: {@code -v}, {@code -q},
 * {@code --help}, {@code --version}, the hidden {@code --force-root}, qube name resolution (wildcards,
 * {@code --all}, {@code --exclude}) and the error conventions.
 */
public abstract class QvmTool implements Callable<Integer> {

    @Option(names = {"--verbose", "-v"}, description = "increase verbosity")
    boolean[] verbose = new boolean[0];

    @Option(names = {"--quiet", "-q"}, description = "decrease verbosity")
    boolean[] quiet = new boolean[0];

    @Option(names = "--force-root", hidden = true)
    boolean forceRoot;

    @Option(names = {"--help", "-h"}, usageHelp = true, description = "show this help message and exit")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "show program's version number and exit")
    boolean version;

    @Spec
    protected CommandSpec spec;

    protected Io io;
    protected AdminSession app;

    /** Called before the command line is parsed. */
    public void bind(Io io, AdminSession app) {
        this.io = io;
        this.app = app;
    }

    /** @return the arguments picocli should parse; tools with argparse REMAINDER arguments rewrite them */
    public String[] rewriteArguments(String[] args) {
        return args;
    }

    public Io io() {
        return io;
    }

    public AdminSession app() {
        return app;
    }

    /** @return qubesadmin's verbosity: 1 by default, +1 per {@code -v}, -1 per {@code -q} */
    public int verbosity() {
        return 1 + verbose.length - quiet.length;
    }

    /** @return the program name, as in messages */
    public String prog() {
        return spec.name();
    }

    /** qubesadmin's {@code parser.print_error}: {@code Error: MESSAGE} on stderr. */
    public void printError(String message) {
        io.err().println("Error: " + message);
    }

    /**
     * A line of the Python logging set up by qubesadmin ({@code NAME: MESSAGE} on stderr); at verbosity 0 only
     * warnings and errors, bare, as Python's last-resort handler prints them.
     */
    public void log(boolean warning, String logger, String message) {
        if (verbosity() >= 1) {
            io.err().println(logger + ": " + message);
        } else if (warning) {
            io.err().println(message);
        }
    }

    /**
     * qubesadmin's {@code VmNameAction}: names (with shell wildcards) or {@code --all} (every qube but dom0, minus
     * {@code --exclude}).
     *
     * @throws ToolError (usage) for an unknown name or {@code --exclude} without {@code --all}
     */
    public List<QubeEntry> domains(List<String> names, boolean all, List<String> exclude) {
        List<QubeEntry> selected = new ArrayList<>();
        if (all && !names.isEmpty()) {
            throw ToolError.usage("argument --all: not allowed with argument VMNAME");
        }
        if (all) {
            for (QubeEntry qube : app.qubes()) {
                if (!qube.adminVm() && !exclude.contains(qube.name())) {
                    selected.add(qube);
                }
            }
            return selected;
        }
        if (!exclude.isEmpty()) {
            throw ToolError.usage("--exclude can only be used with --all");
        }
        List<String> wanted = new ArrayList<>();
        for (String name : names) {
            if (Texts.hasWildcard(name)) {
                for (QubeEntry qube : app.qubes()) {
                    if (!wanted.contains(qube.name()) && Texts.fnmatch(name, qube.name())) {
                        wanted.add(qube.name());
                    }
                }
            } else if (!wanted.contains(name)) {
                wanted.add(name);
            }
        }
        for (String name : wanted) {
            selected.add(domain(name));
        }
        return selected;
    }

    /**
     * The qubes of a {@link QubeSelection}, resolved as {@link #domains(List, boolean, List)} does.
     *
     * @throws ToolError (usage) when the selection is empty, or as {@link #domains(List, boolean, List)}
     */
    public List<QubeEntry> domains(QubeSelection selection) {
        selection.requireSome();
        return domains(selection.names(), selection.all(), selection.exclude());
    }

    /** @throws ToolError (usage) {@code no such domain: 'NAME'} */
    public QubeEntry domain(String name) {
        return app.qube(name).orElseThrow(() -> ToolError.usage("no such domain: " + Texts.repr(name)));
    }
}
