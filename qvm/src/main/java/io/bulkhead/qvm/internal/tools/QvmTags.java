package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.Texts;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * qvm-tags: {@code qvm-tags VMNAME [list|ls|l [TAG]]}, {@code add|a|set TAG...}, {@code del|d|unset|u TAG}.
 * The commands follow the qube name, so they are parsed here rather than as picocli subcommands.
 */
@Command(name = "qvm-tags", description = "manage domain's tags", sortOptions = false,
        footer = {"commands:", "  list (ls, l)  list tags", "  add (a, set)  add tag", "  del (d, unset, u)", "                remove tag"})
public final class QvmTags extends QvmTool {

    @Parameters(index = "0", paramLabel = "VMNAME", description = "a domain name")
    String vmname;

    @Parameters(index = "1", arity = "0..1", paramLabel = "COMMAND", description = "list (default), add or del")
    String command;

    @Parameters(index = "2..*", paramLabel = "TAG", description = "tag(s)")
    List<String> tagArgs = new ArrayList<>();

    @Override
    public Integer call() {
        String qube = domain(vmname).name();
        String mode = command == null ? "list" : switch (command) {
            case "list", "ls", "l" -> "list";
            case "add", "a", "set" -> "add";
            case "del", "d", "unset", "u" -> "del";
            default -> throw ToolError.usage("argument command: invalid choice: " + Texts.repr(command)
                    + " (choose from 'list', 'ls', 'l', 'add', 'a', 'set', 'del', 'd', 'unset', 'u')");
        };
        try {
            switch (mode) {
                case "add" -> {
                    if (tagArgs.isEmpty()) {
                        throw ToolError.usage("the following arguments are required: tag");
                    }
                    for (String tag : tagArgs) {
                        app.call(qube, "admin.vm.tag.Set", tag);
                    }
                }
                case "del" -> {
                    if (tagArgs.size() != 1) {
                        throw ToolError.usage(tagArgs.isEmpty() ? "the following arguments are required: tag"
                                : "unrecognized arguments: " + String.join(" ", tagArgs.subList(1, tagArgs.size())));
                    }
                    remove(qube, tagArgs.get(0));
                }
                default -> {
                    return list(qube);
                }
            }
            return 0;
        } catch (QubesCallException e) {
            throw ToolError.runtime(e.getMessage());
        }
    }

    private int list(String qube) {
        if (tagArgs.size() > 1) {
            throw ToolError.usage("unrecognized arguments: " + String.join(" ", tagArgs.subList(1, tagArgs.size())));
        }
        if (tagArgs.isEmpty()) {
            List<String> tags = new ArrayList<>(app.tags(qube));
            tags.sort(null);
            tags.forEach(io.out()::println);
            return 0;
        }
        String tag = tagArgs.get(0);
        if (!"1".equals(app.call(qube, "admin.vm.tag.Get", tag))) {
            return 1;
        }
        io.out().println(tag);
        return 0;
    }

    /** Removing an absent tag is not an error (Qubes' tags.discard). */
    private void remove(String qube, String tag) {
        try {
            app.call(qube, "admin.vm.tag.Remove", tag);
        } catch (QubesCallException e) {
            if (!e.isA("QubesTagNotFoundError")) {
                throw e;
            }
        }
    }
}
