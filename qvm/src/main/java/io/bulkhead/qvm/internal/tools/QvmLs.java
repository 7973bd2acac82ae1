package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.PropertyValue;
import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.TableWriter;
import io.bulkhead.qvm.internal.Texts;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** qvm-ls: list qubes with selectable columns, formats, filters and sorting, as Qubes' qvm-ls. */
@Command(name = "qvm-ls", description = "List Qubes domains and their parameters.", sortOptions = false)
public final class QvmLs extends QvmTool {

    /** Preset formats (qvm-ls --help-formats), columns in order. */
    static final Map<String, List<String>> FORMATS = new LinkedHashMap<>();
    static {
        FORMATS.put("simple", List.of("name", "state", "class", "label", "template", "netvm"));
        FORMATS.put("network", List.of("name", "state", "netvm", "ip", "ipback", "gateway"));
        FORMATS.put("kernel", List.of("name", "state", "class", "template", "kernel", "kernelopts"));
        FORMATS.put("full", List.of("name", "state", "class", "label", "qid", "xid", "uuid"));
        FORMATS.put("prefs", List.of("name", "label", "template", "netvm", "vcpus", "initialmem", "maxmem", "virt_mode"));
        FORMATS.put("disk", List.of("name", "state", "disk", "priv-curr", "priv-max", "priv-used", "root-curr", "root-max", "root-used"));
    }

    /** Computed columns and their --help-columns text; any other column is a qube property. */
    static final Map<String, String> COLUMNS = new LinkedHashMap<>();
    static {
        COLUMNS.put("CLASS", "Class of the qube.");
        COLUMNS.put("DISK", "Total disk utilisation.");
        COLUMNS.put("FLAGS", "Various flags: type, power state, updateable, provides_network, installed_by_rpm, internal, debug, autostart.");
        COLUMNS.put("GATEWAY", "Network gateway.");
        COLUMNS.put("MEMORY", "Memory currently used by VM");
        COLUMNS.put("PRIV-CURR", "Disk utilisation by private image (/home, /usr/local).");
        COLUMNS.put("PRIV-MAX", "Maximum available space for private image.");
        COLUMNS.put("PRIV-POOL", "Storage pool of private volume.");
        COLUMNS.put("PRIV-USED", "Disk utilisation by private image as a percentage of available space.");
        COLUMNS.put("ROOT-CURR", "Disk utilisation by root image (/usr, /lib, /etc, ...).");
        COLUMNS.put("ROOT-MAX", "Maximum available space for root image.");
        COLUMNS.put("ROOT-POOL", "Storage pool of root volume.");
        COLUMNS.put("ROOT-USED", "Disk utilisation by root image as a percentage of available space.");
        COLUMNS.put("STATE", "Current power state.");
    }

    /** Columns sorted by number with --sort. */
    static final List<String> SORT_NUMERIC = List.of("MEMORY", "DISK", "PRIV-CURR", "PRIV-MAX", "ROOT-CURR", "XID", "ROOT-MAX",
            "MAXMEM", "QREXEC-TIMEOUT", "SHUTDOWN-TIMEOUT", "VCPUS", "PRIV-USED", "ROOT-USED");

    /** Columns answered without each qube's properties (from admin.vm.List, volumes or CurrentState). */
    private static final List<String> WITHOUT_PROPERTIES = List.of("NAME", "STATE", "CLASS", "DISK", "MEMORY", "PRIV-CURR",
            "PRIV-MAX", "PRIV-USED", "PRIV-POOL", "ROOT-CURR", "ROOT-MAX", "ROOT-USED", "ROOT-POOL");

    @Option(names = {"--format", "-o"}, paramLabel = "FORMAT", description = "preset format")
    String format;

    @Option(names = {"--fields", "-O"}, paramLabel = "FIELD,...", description = "user specified format (see available columns below)")
    String fields;

    @Option(names = {"--tree", "-t"}, description = "sort domain list as network tree")
    boolean tree;

    @Option(names = "--raw-data", description = "Display specify data of specified VMs. Intended for bash-parsing.")
    boolean rawData;

    @Option(names = "--raw-list", description = "Same as --raw-data --fields=name")
    boolean rawList;

    @Option(names = {"--disk", "-d"}, description = "Same as --format=disk")
    boolean disk;

    @Option(names = {"--network", "-n"}, description = "Same as --format=network")
    boolean network;

    @Option(names = {"--kernel", "-k"}, description = "Same as --format=kernel")
    boolean kernel;

    @Option(names = "--help-formats", description = "list all available formats with their definitions and exit")
    boolean helpFormats;

    @Option(names = "--help-columns", description = "list all available columns with short descriptions and exit")
    boolean helpColumns;

    @Option(names = "--class", arity = "1..*", paramLabel = "CLASS", description = "show only qubes of specific class(es)")
    List<String> classes;

    @Option(names = "--label", arity = "1..*", paramLabel = "LABEL", description = "show only qubes with specific label(s)")
    List<String> labels;

    @Option(names = "--tags", arity = "1..*", paramLabel = "TAG", description = "show only qubes having specific tag(s)")
    List<String> tags;

    @Option(names = "--exclude-tags", arity = "1..*", paramLabel = "TAG", description = "exclude qubes having specific tag(s)")
    List<String> excludeTags;

    @Option(names = "--running", description = "show running VMs")
    boolean running;

    @Option(names = "--paused", description = "show paused VMs")
    boolean paused;

    @Option(names = "--halted", description = "show halted VMs")
    boolean halted;

    @Option(names = "--template-source", arity = "1..*", paramLabel = "TEMPLATE",
            description = "filter results to the qubes based on the TEMPLATE. \"\" means None")
    List<String> templateSource;

    @Option(names = "--netvm-is", arity = "1..*", paramLabel = "NETVM", description = "filter results to the qubes connecting via NETVM")
    List<String> netvmIs;

    @Option(names = "--internal", paramLabel = "<y|n>", description = "show only internal qubes or option to hide them")
    String internal;

    @Option(names = "--servicevm", paramLabel = "<y|n>", description = "show only ServiceVMs or option to hide them")
    String servicevm;

    @Option(names = "--pending-update", description = "filter results to qubes pending for update")
    boolean pendingUpdate;

    @Option(names = "--features", arity = "1..*", paramLabel = "FEATURE=VALUE",
            description = "filter results to qubes that matches all specified features. omitted VALUE means None (unset). Empty value means \"\" (blank)")
    List<String> features;

    @Option(names = "--prefs", arity = "1..*", paramLabel = "PREFERENCE=VALUE",
            description = "filter results to qubes that matches all specified preferences. omitted VALUE means None (unset). Empty value means \"\" (blank)")
    List<String> prefs;

    @Option(names = "--sort", paramLabel = "COLUMN", description = "sort based on provided column rather than NAME")
    String sort = "NAME";

    @Option(names = "--reverse", description = "reverse sort")
    boolean reverse;

    @Option(names = "--ignore-case", description = "ignore case distinctions when sorting")
    boolean ignoreCase;

    @Option(names = "--spinner", description = "reenable spinner (no spinner is shown by this implementation)")
    boolean spinner;

    @Option(names = "--no-spinner", description = "disable spinner")
    boolean noSpinner;

    @Option(names = "--all", description = "perform the action on all qubes")
    boolean all;

    @Option(names = "--exclude", paramLabel = "EXCLUDE", description = "exclude the qube from --all")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "VMNAME", description = "zero or more domain names")
    List<String> vmnames = new ArrayList<>();

    /** CurrentState answers, fetched at most once per qube. */
    private final Map<String, Map<String, String>> currentState = new HashMap<>();

    @Override
    public Integer call() {
        if (helpFormats) {
            printFormats();
            return 0;
        }
        if (helpColumns) {
            printColumns();
            return 0;
        }
        checkExclusiveFormats();
        checkChoice("--internal", internal);
        checkChoice("--servicevm", servicevm);
        List<String> columns = columns();

        List<QubeEntry> domains;
        if (all) {
            domains(vmnames, true, exclude);
            // unlike the other tools, qvm-ls --all keeps dom0
            domains = new ArrayList<>();
            for (QubeEntry qube : app.qubes()) {
                if (!exclude.contains(qube.name())) {
                    domains.add(qube);
                }
            }
        } else {
            domains = vmnames.isEmpty() && exclude.isEmpty() ? app.qubes() : domains(vmnames, false, exclude);
        }
        if (needsProperties(columns)) {
            app.prefetchProperties(domains.stream().map(QubeEntry::name).toList());
        }
        domains = filter(domains);

        if (rawData) {
            for (QubeEntry qube : sortedByName(domains)) {
                io.out().println(String.join("|", row(qube, columns, 0)));
            }
            return 0;
        }
        List<List<String>> table = new ArrayList<>();
        table.add(heads(columns));
        if (tree) {
            for (Map.Entry<QubeEntry, Integer> node : networkTree(domains)) {
                table.add(row(node.getKey(), columns, node.getValue()));
            }
        } else {
            for (QubeEntry qube : sortedByName(domains)) {
                table.add(row(qube, columns, 0));
            }
            sortRows(table);
        }
        TableWriter.print(io.out(), table);
        return 0;
    }

    private void checkExclusiveFormats() {
        List<String> given = new ArrayList<>();
        if (format != null) {
            given.add("--format/-o");
        }
        if (fields != null) {
            given.add("--fields/-O");
        }
        if (disk) {
            given.add("--disk/-d");
        }
        if (network) {
            given.add("--network/-n");
        }
        if (kernel) {
            given.add("--kernel/-k");
        }
        if (given.size() > 1) {
            throw ToolError.usage("argument " + given.get(1) + ": not allowed with argument " + given.get(0));
        }
        if (format != null && !FORMATS.containsKey(format)) {
            throw ToolError.usage("argument --format/-o: invalid choice: " + Texts.repr(format) + " (choose from "
                    + String.join(", ", FORMATS.keySet().stream().map(Texts::repr).toList()) + ")");
        }
    }

    private static void checkChoice(String option, String value) {
        if (value != null && !List.of("y", "yes", "n", "no").contains(value)) {
            throw ToolError.usage("argument " + option + ": invalid choice: " + Texts.repr(value) + " (choose from 'y', 'yes', 'n', 'no')");
        }
    }

    private List<String> columns() {
        if (rawList) {
            rawData = true;
            fields = "name";
        }
        if (fields != null) {
            List<String> columns = new ArrayList<>();
            for (String column : fields.split(",", -1)) {
                columns.add(column.strip());
            }
            return columns;
        }
        String preset = disk ? "disk" : network ? "network" : kernel ? "kernel" : format == null ? "simple" : format;
        return FORMATS.get(preset);
    }

    /** Whether the table or a filter reads the qubes' properties, so that fetching them all at once pays. */
    private boolean needsProperties(List<String> columns) {
        if (tree || labels != null || templateSource != null || netvmIs != null || prefs != null) {
            return true;
        }
        return columns.stream().anyMatch(column -> !WITHOUT_PROPERTIES.contains(head(column)));
    }

    static String head(String column) {
        return column.toUpperCase(Locale.ROOT).replace('_', '-');
    }

    private static List<String> heads(List<String> columns) {
        List<String> heads = new ArrayList<>();
        for (String column : columns) {
            heads.add(head(column));
        }
        return heads;
    }

    private static List<QubeEntry> sortedByName(List<QubeEntry> domains) {
        List<QubeEntry> sorted = new ArrayList<>(domains);
        sorted.sort(Comparator.comparing(QubeEntry::name));
        return sorted;
    }

    // ---- filters ----------------------------------------------------------------------------

    private List<QubeEntry> filter(List<QubeEntry> domains) {
        List<QubeEntry> kept = new ArrayList<>();
        for (QubeEntry qube : domains) {
            if (matches(qube)) {
                kept.add(qube);
            }
        }
        return kept;
    }

    private boolean matches(QubeEntry qube) {
        if (classes != null && !classes.contains(qube.klass())) {
            return false;
        }
        if (labels != null && !labels.contains(propertyText(qube, "label").orElse(""))) {
            return false;
        }
        if (tags != null || excludeTags != null) {
            List<String> qubeTags = app.tags(qube.name());
            if (tags != null && qubeTags.stream().noneMatch(tags::contains)) {
                return false;
            }
            if (excludeTags != null && qubeTags.stream().anyMatch(excludeTags::contains)) {
                return false;
            }
        }
        if (templateSource != null && !referenceIn(qube, "template", templateSource)) {
            return false;
        }
        if (netvmIs != null && !referenceIn(qube, "netvm", netvmIs)) {
            return false;
        }
        if (internal != null && flagFeature(qube, "internal") != internal.startsWith("y")) {
            return false;
        }
        if (servicevm != null && flagFeature(qube, "servicevm") != servicevm.startsWith("y")) {
            return false;
        }
        if (pendingUpdate && app.feature(qube.name(), "updates-available").filter(v -> !v.isEmpty()).isEmpty()) {
            return false;
        }
        if (features != null) {
            for (String feature : features) {
                String[] kv = keyValue("--features", feature);
                if (!app.feature(qube.name(), kv[0]).equals(Optional.ofNullable(expected(kv[1])))) {
                    return false;
                }
            }
        }
        if (prefs != null) {
            for (String pref : prefs) {
                String[] kv = keyValue("--prefs", pref);
                Optional<PropertyValue> value = app.property(qube.name(), kv[0]);
                String actual = value.isEmpty() || value.get().none() || value.get().unset() ? null : value.get().value();
                String wanted = expected(kv[1]);
                if (wanted == null ? actual != null : !wanted.equals(actual)) {
                    return false;
                }
            }
        }
        if (running || paused || halted) {
            String state = qube.stateLower();
            return running && state.equals("running") || paused && state.equals("paused") || halted && state.equals("halted");
        }
        return true;
    }

    private static String[] keyValue(String option, String item) {
        int eq = item.indexOf('=');
        if (eq <= 0) {
            throw ToolError.usage("Invalid argument: " + option + " " + item);
        }
        return new String[] {item.substring(0, eq), item.substring(eq + 1)};
    }

    /** Empty means None (unset); {@code ''} or {@code ""} means the empty string. */
    private static String expected(String value) {
        if (value.isEmpty()) {
            return null;
        }
        return value.equals("''") || value.equals("\"\"") ? "" : value;
    }

    /** template/netvm filters: a qube without the property counts as {@code ""}; a None reference matches nothing. */
    private boolean referenceIn(QubeEntry qube, String property, List<String> wanted) {
        Optional<PropertyValue> value = app.property(qube.name(), property);
        if (value.isEmpty()) {
            return wanted.contains("");
        }
        return !value.get().none() && wanted.contains(value.get().value());
    }

    private boolean flagFeature(QubeEntry qube, String feature) {
        return app.feature(qube.name(), feature).map(v -> v.equals("1") || v.equalsIgnoreCase("true")).orElse(false);
    }

    // ---- cells ------------------------------------------------------------------------------

    private List<String> row(QubeEntry qube, List<String> columns, int depth) {
        List<String> row = new ArrayList<>();
        for (String column : columns) {
            String value = cell(qube, head(column), column);
            if (value == null || value.isEmpty()) {
                value = "-";
            }
            if (depth > 0 && head(column).equals("NAME")) {
                value = "  ".repeat(depth - 1) + "└─" + value;
            }
            row.add(value);
        }
        return row;
    }

    private String cell(QubeEntry qube, String head, String column) {
        switch (head) {
            case "NAME":
                return qube.name();
            case "STATE":
                return qube.state();
            case "CLASS":
                return qube.klass();
            case "GATEWAY":
                return propertyText(qube, "netvm").flatMap(netvm -> app.property(netvm, "gateway"))
                        .filter(v -> !v.none()).map(PropertyValue::value).orElse(null);
            case "MEMORY":
                return memory(qube);
            case "DISK": {
                long total = 0;
                for (String volume : app.volumes(qube.name())) {
                    total += number(app.volumeInfo(qube.name(), volume).get("usage"));
                }
                return Long.toString(total / 1024 / 1024);
            }
            case "PRIV-CURR":
            case "ROOT-CURR":
                return Long.toString(volumeMiB(qube, head, "usage"));
            case "PRIV-MAX":
            case "ROOT-MAX":
                return Long.toString(volumeMiB(qube, head, "size"));
            case "PRIV-USED":
            case "ROOT-USED": {
                long size = volumeMiB(qube, head, "size");
                return size == 0 ? "0" : volumeMiB(qube, head, "usage") * 100 / size + "%";
            }
            case "PRIV-POOL":
            case "ROOT-POOL": {
                String volume = head.startsWith("PRIV") ? "private" : "root";
                return app.volumes(qube.name()).contains(volume) ? app.volumeInfo(qube.name(), volume).get("pool") : "-";
            }
            case "FLAGS":
                return flags(qube);
            default:
                return propertyText(qube, column.toLowerCase(Locale.ROOT).replace('-', '_')).orElse(null);
        }
    }

    /** A property as qvm-ls prints it; empty when the qube lacks it or it holds no value. */
    private Optional<String> propertyText(QubeEntry qube, String property) {
        if (property.equals("name")) {
            return Optional.of(qube.name());
        }
        if (property.equals("klass") && !qube.klass().isEmpty()) {
            return Optional.of(qube.klass());
        }
        if (property.equals("uuid") && !qube.uuid().isEmpty()) {
            return Optional.of(qube.uuid());
        }
        return app.property(qube.name(), property).filter(v -> !v.none() && !v.unset()).map(PropertyValue::value);
    }

    private String memory(QubeEntry qube) {
        if (!qube.running()) {
            return null;
        }
        String mem = currentState.computeIfAbsent(qube.name(), name -> {
            Map<String, String> state = new HashMap<>();
            for (String item : app.call(name, "admin.vm.CurrentState").trim().split("\\s+")) {
                int eq = item.indexOf('=');
                if (eq > 0) {
                    state.put(item.substring(0, eq), item.substring(eq + 1));
                }
            }
            return state;
        }).get("mem");
        return mem == null ? null : Long.toString(number(mem) / 1024);
    }

    private long volumeMiB(QubeEntry qube, String head, String key) {
        String volume = head.startsWith("PRIV") ? "private" : "root";
        if (!app.volumes(qube.name()).contains(volume)) {
            return 0;
        }
        return number(app.volumeInfo(qube.name(), volume).get(key)) / 1024 / 1024;
    }

    private static long number(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "invalid number '" + text + "' from qubesd");
        }
    }

    /** Type, power state, updateable, provides_network, installed_by_rpm, internal, debug, autostart. */
    private String flags(QubeEntry qube) {
        String type = switch (qube.klass()) {
            case "AdminVM" -> "0";
            case "TemplateVM" -> "t";
            case "AppVM" -> "a";
            case "StandaloneVM" -> "s";
            case "DispVM" -> "d";
            default -> "-";
        };
        if (!type.equals("0") && !type.equals("-") && propertyText(qube, "virt_mode").orElse("pv").equals("hvm")) {
            type = type.toUpperCase(Locale.ROOT);
        }
        String state = qube.stateLower();
        String power = state.equals("unknown") ? "?"
                : List.of("running", "transient", "paused", "suspended", "halting", "dying", "crashed").contains(state)
                        ? state.substring(0, 1) : "-";
        return type + power + flag(qube, "updateable", "U") + flag(qube, "provides_network", "N")
                + flag(qube, "installed_by_rpm", "R") + flag(qube, "internal", "i") + flag(qube, "debug", "D")
                + flag(qube, "autostart", "A");
    }

    private String flag(QubeEntry qube, String property, String letter) {
        return propertyText(qube, property).filter("True"::equals).isPresent() ? letter : "-";
    }

    // ---- ordering ---------------------------------------------------------------------------

    private void sortRows(List<List<String>> table) {
        String key = sort.toUpperCase(Locale.ROOT);
        int index = table.get(0).indexOf(key);
        if (index < 0) {
            return;
        }
        Comparator<List<String>> order = SORT_NUMERIC.contains(key)
                ? Comparator.comparingLong(row -> sortNumber(row.get(index)))
                : Comparator.comparing(row -> ignoreCase ? row.get(index).toUpperCase(Locale.ROOT) : row.get(index));
        List<List<String>> rows = new ArrayList<>(table.subList(1, table.size()));
        rows.sort(reverse ? order.reversed() : order);
        table.subList(1, table.size()).clear();
        table.addAll(rows);
    }

    private static long sortNumber(String cell) {
        try {
            return Long.parseLong(cell.endsWith("%") ? cell.substring(0, cell.length() - 1) : cell);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * --tree: unnetworked qubes first, then each network root followed by the qubes behind it, depth-first;
     * the value is the depth that indents the name.
     */
    private List<Map.Entry<QubeEntry, Integer>> networkTree(List<QubeEntry> domains) {
        List<Map.Entry<QubeEntry, Integer>> tree = new ArrayList<>();
        List<QubeEntry> rest = new ArrayList<>();
        for (QubeEntry qube : sortedByName(domains)) {
            Optional<PropertyValue> netvm = app.property(qube.name(), "netvm");
            if (netvm.isEmpty() || netvm.get().none() && !providesNetwork(qube)) {
                tree.add(Map.entry(qube, 0));
            } else {
                rest.add(qube);
            }
        }
        for (QubeEntry qube : rest) {
            if (app.property(qube.name(), "netvm").orElseThrow().none()) {
                tree.add(Map.entry(qube, 0));
                appendChildren(tree, qube, 1, rest);
            }
        }
        return tree;
    }

    private void appendChildren(List<Map.Entry<QubeEntry, Integer>> tree, QubeEntry parent, int depth, List<QubeEntry> candidates) {
        for (QubeEntry child : candidates) {
            if (propertyText(child, "netvm").filter(parent.name()::equals).isPresent()) {
                tree.add(Map.entry(child, depth));
                if (providesNetwork(child)) {
                    appendChildren(tree, child, depth + 1, candidates);
                }
            }
        }
    }

    private boolean providesNetwork(QubeEntry qube) {
        return propertyText(qube, "provides_network").filter("True"::equals).isPresent();
    }

    // ---- help -------------------------------------------------------------------------------

    private void printFormats() {
        int width = FORMATS.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder text = new StringBuilder("Available formats:\n");
        FORMATS.keySet().stream().sorted().forEach(name -> text.append("  ").append(Texts.pad(name, width)).append("  ")
                .append(String.join(",", heads(FORMATS.get(name)))).append('\n'));
        io.out().println(text);
    }

    private void printColumns() {
        int width = COLUMNS.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder text = new StringBuilder("Available columns:\n");
        List<String> lines = new ArrayList<>();
        COLUMNS.forEach((head, doc) -> lines.add(Texts.wrap(Texts.pad(head, width) + "  " + doc, 80, "  ", " ".repeat(width + 6))));
        text.append(String.join("\n", lines));
        text.append("\n\nAdditionally any VM property may be used as a column, see qvm-prefs --help-properties for available values");
        io.out().println(text + "\n");
    }
}
