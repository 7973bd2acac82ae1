package io.bulkhead.core.admin.internal.methods;

import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ADMIN_VM;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ANY;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.NONE;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.REQUIRED;

import java.nio.file.Path;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.Label;
import io.bulkhead.core.domains.PermissionDenied;
import io.bulkhead.core.domains.storage.VolumeConfig;
import io.bulkhead.core.domains.storage.VolumeInfo;

/** {@code admin.label.*}, {@code admin.vm.volume.*} and {@code admin.pool.List}. */
public final class LabelVolumeMethods {
    private final DomainsService domains;
    private final CloneTokens cloneTokens = new CloneTokens();

    public LabelVolumeMethods(DomainsService domains) {
        this.domains = domains;
    }

    public void register(MethodTable table) {
        table.add("admin.label.List", NONE, NONE, ADMIN_VM, r -> PropertyMethods.lines(domains.labels().stream().map(Label::name).toList()));
        table.add("admin.label.Get", REQUIRED, NONE, ADMIN_VM, r -> domains.label(r.argument()).color());
        table.add("admin.label.Index", REQUIRED, NONE, ADMIN_VM, r -> Integer.toString(domains.label(r.argument()).index()));
        table.add("admin.label.Create", REQUIRED, REQUIRED, ADMIN_VM, r -> {
            domains.createLabel(r.argument(), r.payloadText());
            return "";
        });
        table.add("admin.label.Remove", REQUIRED, NONE, ADMIN_VM, r -> {
            domains.removeLabel(r.argument());
            return "";
        });

        table.add("admin.vm.volume.List", NONE, NONE, ANY, r -> PropertyMethods.lines(domains.volumeNames(r.destination())));
        table.add("admin.vm.volume.Info", REQUIRED, NONE, ANY, r -> info(domains.volumeInfo(r.destination(), volume(r))));
        table.add("admin.vm.volume.ListSnapshots", REQUIRED, NONE, ANY,
                r -> PropertyMethods.lines(domains.volumeRevisions(r.destination(), volume(r))));
        table.add("admin.vm.volume.Revert", REQUIRED, REQUIRED, ANY, r -> {
            String revision = r.payloadText();
            if (!revision.matches("[A-Za-z0-9:_.-]+")) {
                throw new ProtocolError("invalid revision id");
            }
            domains.revertVolume(r.destination(), volume(r), revision);
            return "";
        });
        table.add("admin.vm.volume.Resize", REQUIRED, REQUIRED, ANY, r -> {
            domains.resizeVolume(r.destination(), volume(r), decimal(r.payloadText(), "size"));
            return "";
        });
        table.add("admin.vm.volume.Set.revisions_to_keep", REQUIRED, REQUIRED, ANY, r -> {
            String text = r.payloadText();
            int value = text.equals("-1") ? -1 : (int) Math.min(decimal(text, "revisions_to_keep"), Integer.MAX_VALUE);
            domains.setVolumeRevisionsToKeep(r.destination(), volume(r), value);
            return "";
        });
        table.add("admin.vm.volume.Set.rw", REQUIRED, REQUIRED, ANY, r -> {
            domains.setVolumeRw(r.destination(), volume(r), flag(r.payloadText(), "rw"));
            return "";
        });
        table.add("admin.vm.volume.Set.ephemeral", REQUIRED, REQUIRED, ANY, r -> {
            domains.setVolumeEphemeral(r.destination(), volume(r), flag(r.payloadText(), "ephemeral"));
            return "";
        });
        table.add("admin.vm.volume.Clear", REQUIRED, NONE, ANY, r -> {
            domains.clearVolume(r.destination(), volume(r));
            return "";
        });
        table.add("admin.pool.Set.revisions_to_keep", REQUIRED, REQUIRED, ADMIN_VM, r -> {
            String text = r.payloadText();
            domains.setPoolParameter(pool(r), "revisions_to_keep", text.equals("-1") ? text : Long.toString(decimal(text, "revisions_to_keep")));
            return "";
        });
        table.add("admin.pool.Set.ephemeral_volatile", REQUIRED, REQUIRED, ADMIN_VM, r -> {
            domains.setPoolParameter(pool(r), "ephemeral_volatile", flag(r.payloadText(), "ephemeral_volatile") ? "True" : "False");
            return "";
        });
        table.add("admin.pool.List", NONE, NONE, ADMIN_VM, r -> PropertyMethods.lines(domains.pools()));
        table.add("admin.pool.ListDrivers", NONE, NONE, ADMIN_VM, r -> {
            StringBuilder out = new StringBuilder();
            new java.util.TreeMap<>(domains.poolDrivers()).forEach((driver, parameters) -> out.append(driver).append(' ')
                    .append(String.join(" ", new java.util.TreeSet<>(parameters))).append('\n'));
            return out.toString();
        });
        table.add("admin.pool.Info", REQUIRED, NONE, ADMIN_VM, r -> {
            StringBuilder out = new StringBuilder();
            new java.util.TreeMap<>(domains.poolInfo(pool(r))).forEach((key, value) -> out.append(key).append('=').append(value).append('\n'));
            return out.toString();
        });
        table.add("admin.pool.Add", REQUIRED, REQUIRED, ADMIN_VM, this::addPool);
        table.add("admin.pool.Remove", REQUIRED, NONE, ADMIN_VM, r -> {
            domains.removePool(pool(r));
            return "";
        });
        table.add(IMPORT_FILE, REQUIRED, REQUIRED, ANY, this::importFile);
        table.add("admin.vm.volume.CloneFrom", REQUIRED, NONE, ANY, r -> cloneTokens.issue(r.destination(), volume(r)));
        table.add("admin.vm.volume.CloneTo", REQUIRED, REQUIRED, ANY, r -> {
            CloneTokens.Source source = cloneTokens.redeem(r.payloadText().strip());
            domains.cloneVolume(source.qube(), source.volume(), r.destination(), volume(r));
            return "";
        });
    }

    /**
     * Bulkhead's local form of {@code admin.vm.volume.Import}: the payload is the absolute path of
     * an image file dom0 can read (the qubesd socket's 64 KiB request limit rules out the data
     * itself). Only dom0 may name dom0 files: a qube calling this through qrexec is refused.
     */
    static final String IMPORT_FILE = "bulkhead.vm.volume.ImportFile";

    private String importFile(AdminRequest request) {
        if (!"dom0".equals(request.source())) {
            throw new PermissionDenied(IMPORT_FILE + " reads dom0 files and is only available to dom0");
        }
        Path source = Path.of(request.payloadText());
        if (!source.isAbsolute()) {
            throw new ProtocolError(IMPORT_FILE + ": the payload must be an absolute path");
        }
        domains.importVolume(request.destination(), volume(request), source);
        return "";
    }

    /** qubesd refuses unknown pool names with PermissionDenied (enforce_arg) too. */
    private String pool(AdminRequest request) {
        if (!domains.pools().contains(request.argument())) {
            throw new PermissionDenied("Argument not in " + domains.pools());
        }
        return request.argument();
    }

    /** Payload: {@code key=value} lines with {@code name=}; unknown driver or option: ProtocolError, as qubesd. */
    private String addPool(AdminRequest request) {
        String driver = request.argument();
        java.util.Set<String> known = domains.poolDrivers().get(driver);
        if (known == null) {
            throw new PermissionDenied("Argument not in " + domains.poolDrivers().keySet());
        }
        java.util.Map<String, String> parameters = new java.util.LinkedHashMap<>();
        for (String line : request.payloadText().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolError("invalid pool parameter line '" + line + "': expected key=value");
            }
            String key = line.substring(0, eq);
            if (!key.equals("name") && !known.contains(key)) {
                throw new ProtocolError("unexpected parameter '" + key + "' for driver " + driver);
            }
            parameters.put(key, line.substring(eq + 1));
        }
        String name = parameters.remove("name");
        if (name == null || name.isEmpty()) {
            throw new ProtocolError("the pool needs a name= parameter");
        }
        domains.addPool(name, driver, parameters);
        return "";
    }

    /** qubesd refuses unknown volume names with PermissionDenied (enforce_arg), before any lookup. */
    private String volume(AdminRequest request) {
        if (!domains.volumeNames(request.destination()).contains(request.argument())) {
            throw new PermissionDenied("Argument not in " + domains.volumeNames(request.destination()));
        }
        return request.argument();
    }

    /** The boolean spellings qubes.property.bool accepts. */
    private static boolean flag(String text, String what) {
        switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return true;
            case "false": case "no": case "off": case "0":
                return false;
            default:
                throw new io.bulkhead.core.domains.QubesValueError("Invalid " + what + " value '" + text + "': expected True or False");
        }
    }

    /** Decimal without sign or leading zero, fewer than 20 digits (qubesd's size rule). */
    private static long decimal(String text, String what) {
        if (!text.matches("0|[1-9][0-9]{0,18}")) {
            throw new ProtocolError("invalid " + what + " '" + text + "'");
        }
        return Long.parseLong(text);
    }

    static String info(VolumeInfo info) {
        VolumeConfig config = info.config();
        StringBuilder out = new StringBuilder();
        line(out, "pool", config.pool());
        line(out, "vid", config.vid());
        line(out, "size", Long.toString(config.size()));
        line(out, "usage", Long.toString(info.usage()));
        line(out, "rw", bool(config.rw()));
        line(out, "source", config.source().orElse(""));
        line(out, "path", info.path().orElse(""));
        line(out, "save_on_stop", bool(config.saveOnStop()));
        line(out, "snap_on_start", bool(config.snapOnStart()));
        line(out, "revisions_to_keep", Integer.toString(info.revisionsToKeep()));
        line(out, "ephemeral", bool(config.ephemeral()));
        line(out, "is_outdated", bool(info.outdated()));
        return out.toString();
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append('=').append(value).append('\n');
    }

    private static String bool(boolean value) {
        return value ? "True" : "False";
    }

}
