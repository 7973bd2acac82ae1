package io.bulkhead.qvm.internal;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The qubes a tool acts on, after qubesadmin's {@code VmNameAction} with {@code nargs='+'}: one or more VMNAME
 * arguments, or {@code --all} minus {@code --exclude}. A picocli mixin: with {@code sortOptions = false}, where a
 * tool declares it decides where {@code --all} and {@code --exclude} show in its help.
 */
public final class QubeSelection {

    @Option(names = "--all", description = "perform the action on all qubes")
    boolean all;

    @Option(names = "--exclude", paramLabel = "EXCLUDE", description = "exclude the qube from --all")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "VMNAME", description = "one or more domain names")
    List<String> names = new ArrayList<>();

    public boolean all() {
        return all;
    }

    public List<String> exclude() {
        return exclude;
    }

    public List<String> names() {
        return names;
    }

    /** @throws ToolError (usage) when neither a VMNAME nor {@code --all} was given */
    public void requireSome() {
        if (!all && names.isEmpty()) {
            throw ToolError.usage("one of the arguments --all VMNAME is required");
        }
    }
}
