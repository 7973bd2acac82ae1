package io.bulkhead.hal.xen.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: a stand-in for Xen's {@code xl} (4.17 command line) on machines without Xen.
 *
 * <p>The executable is a small bash script ({@code xl-standin.sh}) that passes its arguments over
 * loopback TCP to this class and replays the answer, so each call costs a bash start, not an
 * interpreter. This class:
 * <ul>
 *   <li>records every call (arguments, exit status, and why it was malformed, if it was);</li>
 *   <li>checks arguments the way xl does (subcommands, options, argument counts) and flags as
 *       <em>invalid</em> what the backend must never send (unknown options, extra arguments,
 *       relative paths, shutdown of an HVM domain without the ACPI fallback);</li>
 *   <li>reads every config file with Xen's own parser, libxlutil ({@link LibXlUtil}): syntax,
 *       {@code xlu_cfg_get_*}, {@code xlu_disk_parse}, {@code xlu_pci_parse_spec_string}; then
 *       checks it like xl/libxl at create time (known keys, types, files that must exist, backend
 *       domains that must run, unique names and vdevs, no PCI for PVH, no PoD with PCI);</li>
 *   <li>keeps the simulated domains and prints {@code xl list -l} JSON in libxl's format
 *       (defaults left out, lower-case enums) and the {@code xl list -v} table.</li>
 * </ul>
 * Stricter than xl where xl only warns (an unknown vif key is ignored by xl, invalid here).
 */
final class XlStandIn implements AutoCloseable {

    /**
     * One recorded call.
     *
     * @param argv    arguments after {@code xl}
     * @param rc      exit status
     * @param invalid why the call was malformed, or null
     */
    record Call(List<String> argv, int rc, String invalid) {
        String line() {
            return String.join(" ", argv);
        }
    }

    private static final LibXlUtil XLU = new LibXlUtil();
    private static final byte[] SAVE_MAGIC = "Xen saved domain, xl format\n \0 \r".getBytes(StandardCharsets.ISO_8859_1);
    private static final Set<String> KNOWN_KEYS = Set.of("name", "uuid", "type", "builder", "memory", "maxmem", "vcpus",
            "maxvcpus", "cpus", "kernel", "ramdisk", "cmdline", "root", "extra", "bootloader", "bootloader_args", "boot",
            "disk", "vif", "pci", "on_poweroff", "on_reboot", "on_crash", "on_watchdog", "on_soft_reset",
            "device_model_version", "device_model_stubdomain_override", "device_model_override", "stubdomain_kernel",
            "stubdomain_ramdisk", "stubdomain_memory", "vnc", "sdl", "serial", "vga", "stdvga", "videoram", "e820_host",
            "pvshim", "pci_permissive", "pci_msitranslate", "pci_seize", "pci_power_mgmt", "usbctrl", "usbdev",
            "channel", "vtpm", "p9", "acpi", "apic", "pae", "hap", "nestedhvm", "viridian", "xen_platform_pci",
            "localtime", "rtc_timeoffset", "tsc_mode", "max_grant_frames", "max_maptrack_frames", "seclabel",
            "dm_restrict", "device_model_user", "gfx_passthru", "rdm", "vfb", "keymap", "driver_domain");
    private static final Set<String> ON_ACTIONS = Set.of("destroy", "restart", "rename-restart", "preserve",
            "coredump-destroy", "coredump-restart", "soft-reset");
    private static final Set<String> VIF_KEYS = Set.of("type", "mac", "bridge", "gatewaydev", "ip", "script", "backend",
            "vifname", "model", "rate", "forwarddev", "mtu", "vlan");
    private static final Pattern KEY = Pattern.compile("\\s*([a-z][._0-9a-z]*)\\s*\\+?=.*");
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final String NO_UUID = "00000000-0000-0000-0000-000000000000";

    /** A usage error: the backend must never make such a call. */
    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** A call xl would make and fail with this message on stderr (exit status 1). */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private static final class Domain {
        final int domid;
        String flags;
        final ObjectNode config;

        Domain(int domid, String flags, ObjectNode config) {
            this.domid = domid;
            this.flags = flags;
            this.config = config;
        }

        String name() {
            return config.path("c_info").path("name").asText();
        }

        String type() {
            return config.path("c_info").path("type").asText();
        }
    }

    private final Path xl;
    private final Path devXen;
    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ServerSocket server;
    private final Thread acceptor;
    private final Object state = new Object();
    private final Map<String, Domain> domains = new LinkedHashMap<>();
    private final Set<String> ignoringShutdown = new HashSet<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private int nextDomid = 1;

    XlStandIn(Path directory) throws IOException {
        this.xl = directory.resolve("bin/xl");
        this.devXen = directory.resolve("dev-xen");
        Files.createDirectories(xl.getParent());
        Files.createDirectories(devXen);
        Files.createFile(devXen.resolve("privcmd"));
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        String script;
        try (InputStream in = XlStandIn.class.getResourceAsStream("xl-standin.sh")) {
            if (in == null) {
                throw new IllegalStateException("xl-standin.sh missing from the test resources");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(xl, script.replace("@PORT@", Integer.toString(server.getLocalPort())));
        Files.setPosixFilePermissions(xl, PosixFilePermissions.fromString("rwx------"));
        acceptor = new Thread(this::serve, "xl-stand-in");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path xl() {
        return xl;
    }

    Path devXen() {
        return devXen;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    // ---- what the tests read and control -----------------------------------------------------

    List<Call> calls() {
        return List.copyOf(calls);
    }

    /** @return the calls other than {@code list} queries, as command lines */
    List<String> actions() {
        return calls.stream().filter(c -> c.argv().isEmpty() || !c.argv().get(0).equals("list")).map(Call::line)
                .toList();
    }

    /** @return malformed calls (must stay empty) */
    List<Call> invalidCalls() {
        return calls.stream().filter(c -> c.invalid() != null).toList();
    }

    /** Sets a domain's state flags as {@code xl list} shows them, e.g. {@code ---sc-} for a crash. */
    void setFlags(String name, String flags) {
        synchronized (state) {
            domains.get(name).flags = flags;
        }
    }

    /** A guest powers itself off; with on_poweroff="destroy" the domain disappears. */
    void powerOff(String name) {
        synchronized (state) {
            domains.remove(name);
        }
    }

    /** The guest ignores `xl shutdown` from now on. */
    void ignoreShutdown(String name) {
        synchronized (state) {
            ignoringShutdown.add(name);
        }
    }

    /** @return the stored libxl configuration of a running domain */
    JsonNode configOf(String name) {
        synchronized (state) {
            return domains.get(name).config.deepCopy();
        }
    }

    // ---- the server ------------------------------------------------------------------------

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                answer(socket);
            } catch (IOException e) {
                // closed, or a client went away mid-call
            }
        }
    }

    private void answer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        int count = Integer.parseInt(readNulTerminated(in));
        List<String> argv = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            argv.add(readNulTerminated(in));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        String invalid = null;
        synchronized (state) {
            try {
                run(argv, out);
                rc = 0;
            } catch (Invalid e) {
                invalid = e.getMessage();
                err.writeBytes(("xl: invalid usage: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                rc = 2;
            } catch (Failure e) {
                err.writeBytes((e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                rc = 1;
            } catch (RuntimeException e) {
                invalid = "stand-in failure on this call: " + e;
                err.writeBytes(("xl stand-in: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                rc = 2;
            }
            calls.add(new Call(List.copyOf(argv), rc, invalid));
        }
        OutputStream reply = socket.getOutputStream();
        reply.write((rc + " " + out.size() + " " + err.size() + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeTo(reply);
        err.writeTo(reply);
        reply.flush();
    }

    private static String readNulTerminated(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) > 0) {
            bytes.write(b);
        }
        if (b < 0) {
            throw new IOException("client went away");
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    // ---- subcommands ------------------------------------------------------------------------

    private void run(List<String> argv, ByteArrayOutputStream out) throws Invalid, Failure {
        if (argv.isEmpty()) {
            throw new Invalid("no subcommand");
        }
        List<String> args = argv.subList(1, argv.size());
        switch (argv.get(0)) {
            case "list" -> list(args, out);
            case "create" -> create(args);
            case "destroy" -> domains.remove(domain(positional(args, "f", 1, "destroy [options] <Domain>")).name());
            case "pause" -> domain(positional(args, "", 1, "pause <Domain>")).flags = "--p---";
            case "unpause" -> domain(positional(args, "", 1, "unpause <Domain>")).flags = "-b----";
            case "shutdown" -> shutdown(args);
            case "save" -> save(args);
            case "restore" -> restore(args);
            case "pci-attach" -> pciAttach(args);
            case "pci-detach" -> pciDetach(args);
            case "block-attach" -> blockAttach(args);
            case "block-detach" -> blockDetach(args);
            // the stand-in validates calls: an xl subcommand the backend is not expected to use fails the test
            default -> throw new Invalid("command not implemented: " + argv.get(0));
        }
    }

    /** getopt-like: single-letter flags before the positional arguments. */
    private static Set<Character> flags(List<String> args, String allowed, List<String> positional) throws Invalid {
        Set<Character> flags = new LinkedHashSet<>();
        int i = 0;
        for (; i < args.size() && args.get(i).startsWith("-") && args.get(i).length() > 1; i++) {
            if (args.get(i).equals("--")) {
                i++;
                break;
            }
            for (char letter : args.get(i).substring(1).toCharArray()) {
                if (allowed.indexOf(letter) < 0) {
                    throw new Invalid("unknown option -" + letter);
                }
                flags.add(letter);
            }
        }
        for (String arg : args.subList(i, args.size())) {
            if (arg.startsWith("-")) {
                throw new Invalid("option-like argument '" + arg + "' after the positional ones");
            }
            positional.add(arg);
        }
        return flags;
    }

    private static List<String> positional(List<String> args, String allowed, int count, String usage) throws Invalid {
        List<String> positional = new ArrayList<>();
        flags(args, allowed, positional);
        if (positional.size() != count) {
            throw new Invalid("usage: xl " + usage + " (got " + positional.size() + " arguments)");
        }
        return positional;
    }

    private Domain domain(List<String> positional) throws Failure {
        return domain(positional.get(0));
    }

    private Domain domain(String qualifier) throws Failure {
        Domain byName = domains.get(qualifier);
        if (byName != null) {
            return byName;
        }
        for (Domain d : domains.values()) {
            if (Integer.toString(d.domid).equals(qualifier)) {
                return d;
            }
        }
        throw new Failure(qualifier + " is an invalid domain identifier (rc=-6)");
    }

    private void list(List<String> args, ByteArrayOutputStream out) throws Invalid, Failure {
        List<String> positional = new ArrayList<>();
        Set<Character> flags = flags(args, "lvhZcn", positional);
        if (positional.size() > 1) {
            throw new Invalid("usage: xl list [options] [Domain]");
        }
        List<Domain> selected = positional.isEmpty() ? List.copyOf(domains.values()) : List.of(domain(positional));
        StringBuilder text = new StringBuilder();
        if (flags.contains('l')) {
            ArrayNode entries = mapper.createArrayNode();
            if (positional.isEmpty()) {
                ObjectNode dom0 = entries.addObject();
                dom0.put("domid", 0);
                ObjectNode config = dom0.putObject("config");
                config.putObject("c_info").put("type", "pv").put("name", "Domain-0");
                config.putObject("b_info").put("max_vcpus", 2).put("max_memkb", 4177920).put("target_memkb", 4177919);
            }
            for (Domain d : selected) {
                ObjectNode entry = entries.addObject();
                entry.put("domid", d.domid);
                entry.set("config", d.config.deepCopy());
            }
            text.append(entries.toPrettyString()).append('\n');
        } else {
            boolean verbose = flags.contains('v');
            text.append("Name                                        ID   Mem VCPUs\tState\tTime(s)");
            text.append(verbose ? "   UUID                            Reason-Code\tSecurity Label\n" : "\n");
            if (positional.isEmpty()) {
                text.append(row(verbose, "Domain-0", 0, 4080, 2, "r-----", NO_UUID));
            }
            for (Domain d : selected) {
                JsonNode b = d.config.path("b_info");
                text.append(row(verbose, d.name(), d.domid, b.path("target_memkb").asInt() / 1024,
                        b.path("max_vcpus").asInt(), d.flags, d.config.path("c_info").path("uuid").asText(NO_UUID)));
            }
        }
        out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String row(boolean verbose, String name, int domid, int mem, int vcpus, String flags, String uuid) {
        String line = String.format(Locale.ROOT, "%-40s %5d %5d %5d     %s  %8.1f", name, domid, mem, vcpus, flags, 1.5);
        if (verbose) {
            line += " " + uuid + String.format(Locale.ROOT, " %8s %16s", flags.charAt(3) == 's' ? "0" : "-", "-");
        }
        return line + "\n";
    }

    private void create(List<String> args) throws Invalid, Failure {
        List<String> positional = new ArrayList<>();
        Set<Character> flags = flags(args, "cdeFhnpqVA", positional);
        if (positional.size() != 1) {
            throw new Invalid("xl create <ConfigFile>: the backend passes exactly the config file, got " + positional);
        }
        ObjectNode config = readConfig(positional.get(0));
        Domain domain = new Domain(nextDomid++, flags.contains('p') ? "--p---" : "-b----", config);
        domains.put(domain.name(), domain);
    }

    private void shutdown(List<String> args) throws Invalid, Failure {
        List<String> positional = new ArrayList<>();
        Set<Character> flags = flags(args, "ahFw", positional);
        if (flags.contains('a')) {
            throw new Invalid("the backend must never shut down all domains");
        }
        if (positional.size() != 1) {
            throw new Invalid("usage: xl shutdown [options] <Domain>");
        }
        Domain domain = domain(positional);
        if (domain.type().equals("hvm") && !flags.contains('F')) {
            throw new Invalid("shutdown of HVM domain " + domain.name() + " without -F (no ACPI fallback)");
        }
        if (!ignoringShutdown.contains(domain.name())) {
            domains.remove(domain.name()); // the guest powers off; on_poweroff="destroy"
        }
    }

    private void save(List<String> args) throws Invalid, Failure {
        List<String> positional = new ArrayList<>();
        Set<Character> flags = flags(args, "hcpD", positional);
        if (positional.size() != 2 && positional.size() != 3) {
            throw new Invalid("usage: xl save [options] <Domain> <CheckpointFile> [<ConfigFile>]");
        }
        Domain domain = domain(positional);
        Path target = absolute(positional.get(1), "checkpoint file");
        try {
            ByteArrayOutputStream image = new ByteArrayOutputStream();
            image.writeBytes(SAVE_MAGIC);
            image.writeBytes(mapper.writeValueAsBytes(domain.config));
            Files.write(target, image.toByteArray());
        } catch (IOException e) {
            throw new Failure("Failed to open temp file " + target + " for writing: " + e.getMessage());
        }
        if (!flags.contains('c')) {
            domains.remove(domain.name());
        }
    }

    private void restore(List<String> args) throws Invalid, Failure {
        List<String> positional = new ArrayList<>();
        Set<Character> flags = flags(args, "hpedVA", positional);
        if (positional.size() != 1 && positional.size() != 2) {
            throw new Invalid("usage: xl restore [options] [<ConfigFile>] <CheckpointFile>");
        }
        Path checkpoint = absolute(positional.get(positional.size() - 1), "checkpoint file");
        byte[] image;
        try {
            image = Files.readAllBytes(checkpoint);
        } catch (IOException e) {
            throw new Failure("cannot open checkpoint file " + checkpoint + ": No such file or directory");
        }
        if (image.length < SAVE_MAGIC.length
                || !java.util.Arrays.equals(SAVE_MAGIC, java.util.Arrays.copyOf(image, SAVE_MAGIC.length))) {
            throw new Failure("File has wrong magic number - corrupt or for a different tool?");
        }
        ObjectNode config;
        if (positional.size() == 2) {
            config = readConfig(positional.get(0));
        } else {
            try {
                config = (ObjectNode) mapper.readTree(java.util.Arrays.copyOfRange(image, SAVE_MAGIC.length, image.length));
            } catch (IOException e) {
                throw new Failure("corrupt checkpoint " + checkpoint);
            }
            if (domains.containsKey(config.path("c_info").path("name").asText())) {
                throw new Failure("libxl: error: Domain with name \"" + config.path("c_info").path("name").asText()
                        + "\" already exists.");
            }
        }
        Domain domain = new Domain(nextDomid++, flags.contains('p') ? "--p---" : "-b----", config);
        domains.put(domain.name(), domain);
    }

    private void pciAttach(List<String> args) throws Invalid, Failure {
        List<String> positional = positional(args, "", 2, "pci-attach <Domain> <PCI_SPEC_STRING>");
        Domain domain = domain(positional);
        ObjectNode device = pci(positional.get(1));
        if (domain.type().equals("pvh")) {
            throw new Failure("libxl: error: PCI passthrough is not supported for PVH guests");
        }
        ArrayNode devices = domain.config.withArray("pcidevs");
        for (JsonNode d : devices) {
            if (samePci(d, device)) {
                throw new Failure("libxl: error: PCI device is already assigned");
            }
        }
        devices.add(device);
    }

    private void pciDetach(List<String> args) throws Invalid, Failure {
        List<String> positional = positional(args, "f", 2, "pci-detach <Domain> <PCI_SPEC_STRING>");
        Domain domain = domain(positional);
        ObjectNode device = pci(positional.get(1));
        ArrayNode devices = domain.config.withArray("pcidevs");
        for (int i = 0; i < devices.size(); i++) {
            if (samePci(devices.get(i), device)) {
                devices.remove(i);
                return;
            }
        }
        throw new Failure("libxl: error: PCI device is not attached");
    }

    private void blockAttach(List<String> args) throws Invalid, Failure {
        List<String> positional = new ArrayList<>();
        flags(args, "", positional);
        if (positional.size() < 2) {
            throw new Invalid("usage: xl block-attach <Domain> <disk-spec-component(s)>...");
        }
        Domain domain = domain(positional);
        ObjectNode disk;
        try (LibXlUtil.Parsed cfg = XLU.parse("block-attach", "")) {
            disk = disk(cfg, String.join(",", positional.subList(1, positional.size())));
        }
        ArrayNode disks = domain.config.withArray("disks");
        for (JsonNode d : disks) {
            if (d.path("vdev").asText().equals(disk.path("vdev").asText())) {
                throw new Failure("libxl: error: device vdev " + disk.path("vdev").asText() + " already exists");
            }
        }
        String backend = disk.path("backend_domname").asText("");
        if (!backend.isEmpty() && !domains.containsKey(backend)) {
            throw new Failure("libxl: error: Domain \"" + backend + "\" not found");
        }
        disks.add(disk);
    }

    private void blockDetach(List<String> args) throws Invalid, Failure {
        List<String> positional = positional(args, "f", 2, "block-detach [option] <Domain> <DevId>");
        Domain domain = domain(positional);
        ArrayNode disks = domain.config.withArray("disks");
        for (int i = 0; i < disks.size(); i++) {
            if (disks.get(i).path("vdev").asText().equals(positional.get(1))) {
                disks.remove(i);
                return;
            }
        }
        throw new Failure("Error: Device " + positional.get(1) + " not connected.");
    }

    // ---- config files, checked like xl and libxl --------------------------------------------

    private ObjectNode readConfig(String file) throws Invalid, Failure {
        Path path = absolute(file, "config file");
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Failure("Failed to read config file: " + path + ": No such file or directory");
        }
        for (String line : text.lines().toList()) {
            Matcher key = KEY.matcher(line);
            if (key.matches() && !KNOWN_KEYS.contains(key.group(1))) {
                throw new Invalid(path + ": unknown xl.cfg key '" + key.group(1) + "'");
            }
        }
        try (LibXlUtil.Parsed cfg = XLU.parse(path.toString(), text)) {
            if (cfg.status() != 0) {
                throw new Failure(cfg.report().strip());
            }
            return config(cfg);
        }
    }

    private ObjectNode config(LibXlUtil.Parsed cfg) throws Invalid, Failure {
        String name = cfg.string("name").orElseThrow(() -> new Failure("Domain name must be specified."));
        if (domains.containsKey(name)) {
            throw new Failure("libxl: error: Domain with name \"" + name + "\" already exists.");
        }
        String type = cfg.string("type").orElse("pv");
        if (!Set.of("pv", "pvh", "hvm").contains(type)) {
            throw new Failure("Invalid domain type " + type + ".");
        }
        long memory = cfg.number("memory").orElseThrow(() -> new Invalid("memory is not set"));
        OptionalLong maxmem = cfg.number("maxmem");
        if (memory <= 0 || (maxmem.isPresent() && maxmem.getAsLong() < memory)) {
            throw new Failure("memory must be > 0 and maxmem >= memory");
        }
        long vcpus = cfg.number("vcpus").orElse(1);
        Optional<String> uuid = cfg.string("uuid");
        if (uuid.isPresent()) {
            try {
                UUID.fromString(uuid.get());
            } catch (IllegalArgumentException e) {
                throw new Failure("Failed to parse UUID: " + uuid.get());
            }
        }
        ObjectNode config = mapper.createObjectNode();
        ObjectNode cInfo = config.putObject("c_info").put("type", type).put("name", name);
        uuid.ifPresent(u -> cInfo.put("uuid", u));
        cInfo.put("run_hotplug_scripts", "True");
        ObjectNode bInfo = config.putObject("b_info");
        bInfo.put("max_vcpus", vcpus);
        ArrayNode avail = bInfo.putArray("avail_vcpus");
        for (int i = 0; i < vcpus; i++) {
            avail.add(i);
        }
        bInfo.put("max_memkb", maxmem.orElse(memory) * 1024).put("target_memkb", memory * 1024);
        for (String key : List.of("kernel", "ramdisk")) {
            Optional<String> file = cfg.string(key);
            if (file.isPresent()) {
                if (!Files.isRegularFile(Path.of(file.get()))) {
                    throw new Failure("libxl: error: failed to read " + key + " " + file.get()
                            + ": No such file or directory");
                }
                bInfo.put(key, file.get());
            }
        }
        cfg.string("cmdline").ifPresent(c -> bInfo.put("cmdline", c));
        if (!type.equals("hvm") && !bInfo.has("kernel")) {
            throw new Failure("libxl: error: no kernel specified for a " + type + " guest");
        }
        if (type.equals("hvm")) {
            String model = cfg.string("device_model_version").orElse("qemu-xen");
            if (!model.equals("qemu-xen") && !model.equals("qemu-xen-traditional")) {
                throw new Failure("Unknown device_model_version \"" + model + "\" specified");
            }
            bInfo.put("device_model_version", model.replace('-', '_'));
            if (cfg.number("device_model_stubdomain_override").orElse(0) != 0) {
                bInfo.put("device_model_stubdomain", "True");
            }
            ObjectNode hvm = bInfo.putObject("type.hvm");
            cfg.string("boot").ifPresent(boot -> hvm.put("boot", boot));
        } else {
            if (cfg.has("boot")) {
                throw new Invalid("boot= is for HVM guests only");
            }
            bInfo.putObject("type." + type);
        }
        ArrayNode disks = mapper.createArrayNode();
        Set<String> vdevs = new HashSet<>();
        for (String spec : cfg.list("disk")) {
            ObjectNode disk = disk(cfg, spec);
            if (!vdevs.add(disk.path("vdev").asText())) {
                throw new Failure("libxl: error: duplicate vdev " + disk.path("vdev").asText());
            }
            String target = disk.path("pdev_path").asText();
            if (!disk.has("backend_domname") && !Files.exists(Path.of(target))) {
                throw new Failure("libxl: error: Disk vdev=" + disk.path("vdev").asText() + " failed to stat: " + target
                        + ": No such file or directory");
            }
            disks.add(disk);
        }
        if (!disks.isEmpty()) {
            config.set("disks", disks);
        }
        ArrayNode nics = mapper.createArrayNode();
        for (String spec : cfg.list("vif")) {
            nics.add(nic(spec, nics.size()));
        }
        if (!nics.isEmpty()) {
            config.set("nics", nics);
        }
        ArrayNode pci = mapper.createArrayNode();
        for (String spec : cfg.list("pci")) {
            pci.add(pci(spec));
        }
        if (!pci.isEmpty()) {
            if (type.equals("pvh")) {
                throw new Failure("libxl: error: PCI passthrough is not supported for PVH guests");
            }
            if (type.equals("hvm") && maxmem.isPresent() && maxmem.getAsLong() > memory) {
                throw new Failure("libxl: error: PCI device assignment for HVM guest failed due to PoD enabled");
            }
            config.set("pcidevs", pci);
        }
        for (String key : List.of("on_poweroff", "on_reboot", "on_crash", "on_watchdog")) {
            Optional<String> action = cfg.string(key);
            if (action.isPresent()) {
                if (!ON_ACTIONS.contains(action.get())) {
                    throw new Failure("Unknown " + key + " action \"" + action.get() + "\" specified");
                }
                config.put(key, action.get());
            }
        }
        return config;
    }

    private ObjectNode disk(LibXlUtil.Parsed cfg, String spec) throws Failure {
        LibXlUtil.Disk disk = cfg.disk(spec);
        if (disk.status() != 0) {
            throw new Failure(disk.report().strip());
        }
        ObjectNode entry = mapper.createObjectNode();
        if (disk.backendDomain() != null) {
            entry.put("backend_domname", disk.backendDomain());
        }
        entry.put("pdev_path", disk.target()).put("vdev", disk.vdev());
        entry.put("backend", disk.format() == LibXlUtil.Disk.QCOW2 ? "qdisk" : "phy");
        entry.put("format", disk.format() == LibXlUtil.Disk.QCOW2 ? "qcow2" : disk.format() == LibXlUtil.Disk.RAW ? "raw"
                : "unknown");
        if (disk.readWrite()) {
            entry.put("readwrite", 1);
        }
        if (disk.cdrom()) {
            entry.put("is_cdrom", 1);
        }
        return entry;
    }

    private ObjectNode nic(String spec, int devid) throws Invalid, Failure {
        Map<String, String> pairs = XlVifSplit.split(spec);
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            if (pair.getValue() == null || !VIF_KEYS.contains(pair.getKey())) {
                throw new Invalid("vif '" + spec + "': unrecognized argument '" + pair.getKey() + "' (xl would ignore it)");
            }
        }
        ObjectNode nic = mapper.createObjectNode();
        String backend = pairs.get("backend");
        if (backend != null) {
            Domain netvm = domains.get(backend);
            if (netvm == null) {
                throw new Failure("libxl: error: Domain \"" + backend + "\" not found");
            }
            nic.put("backend_domid", netvm.domid).put("backend_domname", backend);
        }
        nic.put("devid", devid);
        String mac = pairs.get("mac");
        if (mac != null) {
            if (!MAC.matcher(mac).matches()) {
                throw new Failure("Invalid parameter `mac'.");
            }
            nic.put("mac", mac.toLowerCase(Locale.ROOT));
        }
        for (String key : List.of("ip", "script", "bridge")) {
            if (pairs.containsKey(key)) {
                nic.put(key, pairs.get(key));
            }
        }
        nic.put("nictype", "vif");
        return nic;
    }

    /** A PCI_SPEC_STRING parsed by libxlutil, as libxl's JSON shows it (zero fields left out). */
    private ObjectNode pci(String spec) throws Failure {
        LibXlUtil.Pci parsed;
        try (LibXlUtil.Parsed cfg = XLU.parse("pci", "")) {
            parsed = cfg.pci(spec);
        }
        if (parsed.status() != 0) {
            throw new Failure("xl: invalid PCI_SPEC_STRING '" + spec + "'");
        }
        ObjectNode device = mapper.createObjectNode();
        if (parsed.function() != 0) {
            device.put("func", parsed.function());
        }
        if (parsed.slot() != 0) {
            device.put("dev", parsed.slot());
        }
        if (parsed.bus() != 0) {
            device.put("bus", parsed.bus());
        }
        if (parsed.domain() != 0) {
            device.put("domain", parsed.domain());
        }
        if (parsed.permissive()) {
            device.put("permissive", true);
        }
        return device;
    }

    private static boolean samePci(JsonNode a, JsonNode b) {
        for (String field : List.of("domain", "bus", "dev", "func")) {
            if (a.path(field).asInt(0) != b.path(field).asInt(0)) {
                return false;
            }
        }
        return true;
    }

    private static Path absolute(String file, String what) throws Invalid {
        Path path = Path.of(file);
        if (!path.isAbsolute()) {
            throw new Invalid(what + " '" + file + "' is not an absolute path");
        }
        return path;
    }
}
