package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.AdminSession;
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
 * qvm-volume: list volumes, show and set a volume's settings, revert to a revision, resize. Qubes errors end as
 * {@code Error: MESSAGE}, exit 1.
 */
@Command(name = "qvm-volume", description = "Qubes volume management", sortOptions = false,
        subcommands = {QvmVolume.Info.class, QvmVolume.Config.class, QvmVolume.Resize.class, QvmVolume.ListVolumes.class,
            QvmVolume.Revert.class, QvmVolume.Import.class, QvmVolume.Clone.class,
            QvmVolume.Clear.class})
public final class QvmVolume extends QvmTool {
    private static final List<String> INFO_ITEMS = List.of("pool", "vid", "rw", "source", "save_on_stop", "snap_on_start", "size",
            "usage", "revisions_to_keep", "ephemeral");
    private static final List<String> SETTABLE = List.of("rw", "revisions_to_keep", "ephemeral");

    /** Without a command: list every volume. */
    @Override
    public Integer call() {
        return guarded(() -> list(List.of(), false, List.of(), false, List.of()));
    }

    /** Runs a command; a Qubes error is reported as {@code Error: MESSAGE}, exit 1. */
    int guarded(Callable<Integer> command) {
        try {
            return command.call();
        } catch (QubesCallException e) {
            printError(e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Qubes' VMVolumeAction: {@code VM:VOLUME} of an existing qube and volume.
     *
     * @return qube and volume names
     */
    String[] volume(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length != 2) {
            throw ToolError.usage("expected a vm & volume combination like foo:bar");
        }
        if (app.qube(parts[0]).isEmpty()) {
            throw ToolError.runtime("no vm " + Texts.repr(parts[0]));
        }
        if (!app.volumes(parts[0]).contains(parts[1])) {
            throw ToolError.runtime("vm " + Texts.repr(parts[0]) + " has no volume " + Texts.repr(parts[1]));
        }
        return parts;
    }

    private record Volume(String pool, String vid, String revisions, List<String[]> owners) {
    }

    int list(List<String> pools, boolean full, List<String> vmnames, boolean all, List<String> exclude) {
        if (!pools.isEmpty()) {
            List<String> known = AdminSession.lines(app.call("dom0", "admin.pool.List"));
            if (!known.containsAll(pools)) {
                throw ToolError.usage("No such pools: " + pools.stream().map(Texts::repr).toList());
            }
        }
        List<QubeEntry> domains = vmnames.isEmpty() && !all ? app.qubes() : domains(vmnames, all, exclude);
        Map<String, Volume> volumes = new LinkedHashMap<>();
        for (QubeEntry qube : domains) {
            if (qube.adminVm()) {
                continue; // dom0 has no volumes
            }
            for (String name : app.volumes(qube.name())) {
                Map<String, String> info = app.volumeInfo(qube.name(), name);
                String pool = info.getOrDefault("pool", "");
                if (!pools.isEmpty() && !pools.contains(pool)) {
                    continue;
                }
                String vid = info.getOrDefault("vid", "");
                Volume volume = volumes.computeIfAbsent(pool + ":" + vid, key -> new Volume(pool, vid,
                        AdminSession.lines(app.call(qube.name(), "admin.vm.volume.ListSnapshots", name)).isEmpty() ? "No" : "Yes",
                        new ArrayList<>()));
                volume.owners().add(new String[] {qube.name(), name});
            }
        }
        List<Volume> sorted = new ArrayList<>(volumes.values());
        sorted.sort(Comparator.comparing(Volume::pool).thenComparing(Volume::vid));
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("POOL:VOLUME", "VMNAME", "VOLUME_NAME", "REVERT_POSSIBLE"));
        for (Volume volume : sorted) {
            String id = volume.pool() + ":" + volume.vid();
            List<String[]> owners = new ArrayList<>(volume.owners());
            // Qubes lists the last owner first, then the others, blanking the repeated id on a terminal
            String[] first = owners.remove(owners.size() - 1);
            table.add(List.of(id, first[0], first[1], volume.revisions()));
            for (String[] owner : owners) {
                table.add(List.of(full || !io.terminal() ? id : "", owner[0], owner[1], volume.revisions()));
            }
        }
        TableWriter.print(io.out(), table);
        return 0;
    }

    int info(String spec, String property) {
        String[] ref = volume(spec);
        Map<String, String> info = app.volumeInfo(ref[0], ref[1]);
        if (property != null) {
            switch (property) {
                case "revisions" -> revisions(ref).forEach(io.out()::println);
                case "is_outdated" -> io.out().println(bool(info.get("is_outdated")));
                default -> {
                    if (!INFO_ITEMS.contains(property)) {
                        throw new QubesCallException("StoragePoolException", "No such property: " + property);
                    }
                    io.out().println(value(info, property));
                }
            }
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (String item : INFO_ITEMS) {
            String value = value(info, item);
            if (item.equals("revisions_to_keep") && value.equals("-1")) {
                value = "-1 (snapshot disabled)";
            }
            rows.add(List.of(item, value));
        }
        rows.add(List.of("is_outdated", bool(info.get("is_outdated"))));
        TableWriter.print(io.out(), rows);
        List<String> revisions = revisions(ref);
        if (revisions.isEmpty()) {
            io.out().println("List of available revisions (for revert): none");
        } else {
            io.out().println("List of available revisions (for revert):");
            revisions.forEach(revision -> io.out().println("  " + revision));
        }
        return 0;
    }

    /** Booleans print as Python's True/False; other values as sent; missing ones empty. */
    private static String value(Map<String, String> info, String item) {
        String value = info.getOrDefault(item, "");
        return List.of("rw", "save_on_stop", "snap_on_start", "ephemeral").contains(item) ? bool(value) : value;
    }

    private static String bool(String value) {
        return "True".equals(value) ? "True" : "False";
    }

    private List<String> revisions(String[] ref) {
        return AdminSession.lines(app.call(ref[0], "admin.vm.volume.ListSnapshots", ref[1]));
    }

    int config(String spec, String property, String value) {
        String[] ref = volume(spec);
        if (!SETTABLE.contains(property)) {
            throw new QubesCallException("QubesNoSuchPropertyError", "Invalid property: " + property);
        }
        app.call(ref[0], "admin.vm.volume.Set." + property, ref[1], value);
        return 0;
    }

    int resize(String spec, String size, boolean force) {
        String[] ref = volume(spec);
        long bytes = parseSize(size);
        if (!force) {
            long current = Long.parseLong(app.volumeInfo(ref[0], ref[1]).getOrDefault("size", "0"));
            if (bytes < current) {
                String volume = ref[0] + ":" + ref[1];
                throw new QubesCallException("StoragePoolException", "Refusing to shrink volume " + volume + " from " + current
                        + " to " + bytes + " bytes.\nIf you really know what you are doing: Manually shrink the filesystem on the"
                        + " volume first, and repartition the volume if it is partitioned. Do this in a VM, not in dom0. Then use"
                        + " 'qvm-volume resize --force " + volume + " " + bytes + "'");
            }
        }
        app.call(ref[0], "admin.vm.volume.Resize", ref[1], Long.toString(bytes));
        return 0;
    }

    int revert(String spec, String revision) {
        String[] ref = volume(spec);
        String target = revision;
        if (target == null) {
            List<String> revisions = revisions(ref);
            if (revisions.isEmpty()) {
                throw new QubesCallException("StoragePoolException", "No snapshots available");
            }
            target = revisions.get(revisions.size() - 1);
        }
        app.call(ref[0], "admin.vm.volume.Revert", ref[1], target);
        return 0;
    }

    /** Qubes' parse_size: bytes, or a number with K/KB/M/MB/G/GB (powers of 1000) or Ki/KiB/Mi/MiB/Gi/GiB. */
    static long parseSize(String text) {
        String size = text.strip().toUpperCase(Locale.ROOT);
        if (!size.isEmpty() && size.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(size);
        }
        String[][] units = {{"K", "1000"}, {"KB", "1000"}, {"M", "1000000"}, {"MB", "1000000"}, {"G", "1000000000"},
            {"GB", "1000000000"}, {"KI", "1024"}, {"KIB", "1024"}, {"MI", "1048576"}, {"MIB", "1048576"},
            {"GI", "1073741824"}, {"GIB", "1073741824"}};
        for (String[] unit : units) {
            if (size.endsWith(unit[0])) {
                String number = size.substring(0, size.length() - unit[0].length()).strip();
                try {
                    return Math.multiplyExact(Long.parseLong(number), Long.parseLong(unit[1]));
                } catch (NumberFormatException | ArithmeticException e) {
                    break;
                }
            }
        }
        throw new QubesCallException(QubesCallException.QUBES_EXCEPTION, "Invalid size: " + size + ".");
    }

    /** Common to the commands: their own -h and the tool they belong to. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        QvmVolume tool;

        @Option(names = {"--help", "-h"}, usageHelp = true, description = "show this help message and exit")
        boolean help;
    }

    @Command(name = "list", aliases = {"ls", "l"}, description = "list storage volumes", sortOptions = false)
    static final class ListVolumes extends Sub {
        @Option(names = {"-p", "--pool"}, paramLabel = "POOL_NAME")
        List<String> pools = new ArrayList<>();

        @Option(names = "--full", description = "print full line for each POOL_NAME:VOLUME_ID & vm combination")
        boolean full;

        @Option(names = "--all", description = "list volumes from specified domain(s)")
        boolean all;

        @Option(names = "--exclude", paramLabel = "EXCLUDE", description = "exclude the qube from --all")
        List<String> exclude = new ArrayList<>();

        @Parameters(paramLabel = "VMNAME", description = "zero or more domain names")
        List<String> vmnames = new ArrayList<>();

        @Override
        public Integer call() {
            return tool.guarded(() -> tool.list(pools, full, vmnames, all, exclude));
        }
    }

    @Command(name = "info", aliases = "i", description = "info about volume", sortOptions = false)
    static final class Info extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME")
        String volume;

        @Parameters(index = "1", arity = "0..1", paramLabel = "PROPERTY",
                description = "Show only this property instead of all of them; use 'revisions' to list available revisions")
        String property;

        @Override
        public Integer call() {
            return tool.guarded(() -> tool.info(volume, property));
        }
    }

    @Command(name = "config", aliases = {"c", "set", "s"}, description = "set config option for a volume", sortOptions = false)
    static final class Config extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME")
        String volume;

        @Parameters(index = "1", paramLabel = "PROPERTY")
        String property;

        @Parameters(index = "2", paramLabel = "VALUE")
        String value;

        @Override
        public Integer call() {
            return tool.guarded(() -> tool.config(volume, property, value));
        }
    }

    @Command(name = "resize", aliases = "extend", description = "resize volume for domain", sortOptions = false)
    static final class Resize extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME")
        String volume;

        @Parameters(index = "1", paramLabel = "size", description = "New size in bytes")
        String size;

        @Option(names = {"--force", "-f"}, description = "Force operation, even if new size is smaller than the current one")
        boolean force;

        @Override
        public Integer call() {
            return tool.guarded(() -> tool.resize(volume, size, force));
        }
    }

    @Command(name = "revert", aliases = {"rv", "r"}, description = "revert volume to previous revision", sortOptions = false)
    static final class Revert extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME")
        String volume;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REVISION",
                description = "Optional revision to revert to; if not specified, latest one is assumed")
        String revision;

        @Override
        public Integer call() {
            return tool.guarded(() -> tool.revert(volume, revision));
        }
    }

    /**
     * {@code import VM:VOLUME PATH}: dom0 copies the image file itself (Bulkhead's
     * {@code bulkhead.vm.volume.ImportFile}); the file must be readable by dom0. Importing from
     * standard input ({@code -}) would need the data on the socket, which is limited to 64 KiB.
     */
    @Command(name = "import", description = "import volume data from an image file readable by dom0")
    static final class Import extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME")
        String volume;

        @Parameters(index = "1", paramLabel = "PATH", description = "image file (absolute or relative to the current directory)")
        String path;

        @Option(names = "--no-resize", description = "accepted for compatibility; the volume grows to the image size when larger")
        boolean noResize;

        @Override
        public Integer call() {
            if ("-".equals(path)) {
                tool.printError("importing from standard input is not supported by Bulkhead; give an image file");
                return 1;
            }
            java.nio.file.Path file = java.nio.file.Path.of(path).toAbsolutePath().normalize();
            if (!java.nio.file.Files.isRegularFile(file)) {
                tool.printError("no such image file: " + file);
                return 1;
            }
            return tool.guarded(() -> {
                String[] ref = tool.volume(volume);
                tool.app().call(ref[0], "bulkhead.vm.volume.ImportFile", ref[1], file.toString());
                return 0;
            });
        }
    }

    /** {@code clone SRC_VM:VOLUME DST_VM:VOLUME}: the data through a clone token, as Qubes does. */
    @Command(name = "clone", description = "clone volume data from another volume")
    static final class Clone extends Sub {
        @Parameters(index = "0", paramLabel = "SOURCE_VM:VOLUME")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET_VM:VOLUME")
        String target;

        @Override
        public Integer call() {
            return tool.guarded(() -> {
                String[] from = tool.volume(source);
                String[] to = tool.volume(target);
                String token = tool.app().call(from[0], "admin.vm.volume.CloneFrom", from[1]);
                tool.app().call(to[0], "admin.vm.volume.CloneTo", to[1], token);
                return 0;
            });
        }
    }

    /** Qubes' {@code qvm-volume clear VM:VOLUME}: zeroes a persistent volume of a halted qube, keeping its size. */
    @Command(name = "clear", description = "clear volume data", sortOptions = false)
    static final class Clear extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME")
        String volume;

        @Override
        public Integer call() {
            return tool.guarded(() -> {
                String[] at = tool.volume(volume);
                tool.app().call(at[0], "admin.vm.volume.Clear", at[1]);
                return 0;
            });
        }
    }
}
