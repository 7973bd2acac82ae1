package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.TableWriter;
import io.bulkhead.qvm.internal.Texts;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * qvm-template: only {@code list} of the templates installed locally (every TemplateVM). Bulkhead has no remote
 * template repositories: install, download, search, upgrade, ... and {@code --available}/{@code --upgrades} say so.
 */
@Command(name = "qvm-template", description = "Qubes Template Manager (Bulkhead: local templates only)", sortOptions = false,
        subcommands = {QvmTemplate.ListTemplates.class, QvmTemplate.Remote.Install.class, QvmTemplate.Remote.Reinstall.class,
            QvmTemplate.Remote.Downgrade.class, QvmTemplate.Remote.Upgrade.class, QvmTemplate.Remote.Download.class,
            QvmTemplate.Remote.Info.class, QvmTemplate.Remote.Search.class, QvmTemplate.Remote.Remove.class,
            QvmTemplate.Remote.Purge.class, QvmTemplate.Remote.Clean.class, QvmTemplate.Remote.Repolist.class,
            QvmTemplate.Remote.Migrate.class})
public final class QvmTemplate extends QvmTool {
    static final String NO_REPOSITORIES = "remote template repositories are not supported by Bulkhead: only"
            + " 'qvm-template list' of the installed templates is";

    @Override
    public Integer call() {
        throw ToolError.usage("the following arguments are required: command");
    }

    int list(List<String> specs, boolean machineReadable, boolean json) {
        List<String[]> rows = new ArrayList<>();
        List<QubeEntry> templates = new ArrayList<>(app.qubes().stream().filter(q -> q.klass().equals("TemplateVM")).toList());
        templates.sort((a, b) -> a.name().compareTo(b.name()));
        for (QubeEntry template : templates) {
            String version = version(template.name());
            if (specs.isEmpty() || specs.stream().anyMatch(spec -> matches(spec, template.name(), version))) {
                rows.add(new String[] {template.name(), version,
                    app.feature(template.name(), "template-reponame").filter(v -> !v.isEmpty()).orElse("-")});
            }
        }
        if (rows.isEmpty()) {
            throw ToolError.usage("No matching templates to list");
        }
        if (machineReadable) {
            rows.forEach(row -> io.out().println("installed|" + String.join("|", row)));
        } else if (json) {
            List<String> items = new ArrayList<>();
            for (String[] row : rows) {
                items.add("{\"name\": " + jsonString(row[0]) + ", \"evr\": " + jsonString(row[1]) + ", \"reponame\": "
                        + jsonString(row[2]) + "}");
            }
            io.out().println("{\"installed\": [" + String.join(", ", items) + "]}");
        } else {
            io.out().println("Installed Templates");
            TableWriter.print(io.out(), rows.stream().map(List::of).toList());
        }
        return 0;
    }

    /** {@code epoch:version-release} from the template-* features qvm-template records; {@code -} when absent. */
    private String version(String template) {
        String epoch = app.feature(template, "template-epoch").orElse(null);
        String version = app.feature(template, "template-version").orElse(null);
        String release = app.feature(template, "template-release").orElse(null);
        return epoch == null || version == null || release == null ? "-" : epoch + ":" + version + "-" + release;
    }

    /** DNF-like spec match on the name, or name-version(-release) with the epoch or without. */
    private static boolean matches(String spec, String name, String evr) {
        List<String> targets = new ArrayList<>(List.of(name));
        int colon = evr.indexOf(':');
        if (colon > 0) {
            String versionRelease = evr.substring(colon + 1);
            targets.add(name + "-" + evr);
            targets.add(name + "-" + versionRelease);
            int dash = versionRelease.lastIndexOf('-');
            if (dash > 0) {
                targets.add(name + "-" + versionRelease.substring(0, dash));
            }
        }
        return targets.stream().anyMatch(target -> Texts.fnmatch(spec, target));
    }

    private static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    @Command(name = "list", description = "List templates.", sortOptions = false)
    static final class ListTemplates implements Callable<Integer> {
        @ParentCommand
        QvmTemplate tool;

        @Option(names = {"--help", "-h"}, usageHelp = true, description = "show this help message and exit")
        boolean help;

        @Option(names = "--all", description = "Show all templates (default; here: the installed ones).")
        boolean all;

        @Option(names = "--installed", description = "Show installed templates.")
        boolean installed;

        @Option(names = "--available", description = "Show available templates (not supported by Bulkhead).")
        boolean available;

        @Option(names = "--extras", description = "Show extras (not supported by Bulkhead).")
        boolean extras;

        @Option(names = "--upgrades", description = "Show available upgrades (not supported by Bulkhead).")
        boolean upgrades;

        @Option(names = "--all-versions", description = "Show all available versions, not only the latest.")
        boolean allVersions;

        @Option(names = "--machine-readable", description = "Enable machine-readable output.")
        boolean machineReadable;

        @Option(names = "--machine-readable-json", description = "Enable machine-readable output (JSON).")
        boolean json;

        @Parameters(paramLabel = "TEMPLATESPEC")
        List<String> specs = new ArrayList<>();

        @Override
        public Integer call() {
            if (machineReadable && json) {
                throw ToolError.usage("argument --machine-readable-json: not allowed with argument --machine-readable");
            }
            if (available || extras || upgrades) {
                throw ToolError.runtime(NO_REPOSITORIES);
            }
            return tool.list(specs, machineReadable, json);
        }
    }

    /** The commands that need a template repository. */
    abstract static class Remote implements Callable<Integer> {
        @Option(names = {"--help", "-h"}, usageHelp = true, description = "show this help message and exit")
        boolean help;

        @Parameters(paramLabel = "ARG", description = "ignored")
        List<String> arguments = new ArrayList<>();

        @Override
        public Integer call() {
            throw ToolError.runtime(NO_REPOSITORIES);
        }

        @Command(name = "install", description = "Install template packages (not supported by Bulkhead).")
        static final class Install extends Remote {
        }

        @Command(name = "reinstall", description = "Reinstall template packages (not supported by Bulkhead).")
        static final class Reinstall extends Remote {
        }

        @Command(name = "downgrade", description = "Downgrade template packages (not supported by Bulkhead).")
        static final class Downgrade extends Remote {
        }

        @Command(name = "upgrade", description = "Upgrade template packages (not supported by Bulkhead).")
        static final class Upgrade extends Remote {
        }

        @Command(name = "download", description = "Download template packages (not supported by Bulkhead).")
        static final class Download extends Remote {
        }

        @Command(name = "info", description = "Display details about templates (not supported by Bulkhead).")
        static final class Info extends Remote {
        }

        @Command(name = "search", description = "Search template details for the given string (not supported by Bulkhead).")
        static final class Search extends Remote {
        }

        @Command(name = "remove", description = "Remove installed templates (not supported by Bulkhead; use qvm-remove).")
        static final class Remove extends Remote {
        }

        @Command(name = "purge", description = "Remove installed templates and associated VMs (not supported by Bulkhead).")
        static final class Purge extends Remote {
        }

        @Command(name = "clean", description = "Remove cached data (not supported by Bulkhead).")
        static final class Clean extends Remote {
        }

        @Command(name = "repolist", description = "Show configured repositories (not supported by Bulkhead).")
        static final class Repolist extends Remote {
        }

        @Command(name = "migrate-from-rpmdb", description = "Import installed templates from RPM database (not supported by Bulkhead).")
        static final class Migrate extends Remote {
        }
    }
}
