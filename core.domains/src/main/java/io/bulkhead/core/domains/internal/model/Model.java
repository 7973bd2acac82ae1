package io.bulkhead.core.domains.internal.model;

import io.bulkhead.core.domains.Label;
import io.bulkhead.core.domains.PropertyValue;
import io.bulkhead.core.domains.QubeNames;
import io.bulkhead.core.domains.QubesLabelNotFoundError;
import io.bulkhead.core.domains.QubesNoSuchPropertyError;
import io.bulkhead.core.domains.QubesPropertyValueError;
import io.bulkhead.core.domains.QubesVMInvalidUUIDError;
import io.bulkhead.core.domains.QubesVMNotFoundError;
import io.bulkhead.core.domains.QubesValueError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The persisted state plus the rules that read it: effective property values (stored, else the
 * default computed now), value canonicalisation and validation. Not thread safe (the service
 * holds the model lock around every use).
 */
public final class Model {

    private static final QubeProperties QUBE_PROPS = new QubeProperties();
    private static final GlobalProperties GLOBAL_PROPS = new GlobalProperties();

    private final ModelState state;
    private final ModelEnv env;

    public Model(ModelState state, ModelEnv env) {
        this.state = state;
        this.env = env;
    }

    public ModelState state() {
        return state;
    }

    public ModelEnv env() {
        return env;
    }

    public static QubeProperties qubeProperties() {
        return QUBE_PROPS;
    }

    public static GlobalProperties globalProperties() {
        return GLOBAL_PROPS;
    }

    // ---- lookup ---------------------------------------------------------------------------

    /** Resolves a name or {@code uuid:<uuid>} address. */
    public QubeRecord qube(String address) {
        return find(address).orElseThrow(() -> new QubesVMNotFoundError(address));
    }

    public Optional<QubeRecord> find(String address) {
        if (address == null) {
            return Optional.empty();
        }
        if (address.startsWith("uuid:")) {
            UUID uuid;
            try {
                uuid = UUID.fromString(address.substring(5));
            } catch (IllegalArgumentException e) {
                throw new QubesVMInvalidUUIDError("VM UUID is not valid: '" + address.substring(5) + "'");
            }
            return state.byUuid(uuid);
        }
        return state.byName(address);
    }

    public PropertyDef def(QubeRecord q, String property) {
        return QUBE_PROPS.def(property).filter(d -> d.appliesTo(q.klass))
                .orElseThrow(() -> new QubesNoSuchPropertyError("Invalid property '" + property + "' of " + q.name));
    }

    public PropertyDef globalDef(String property) {
        return GLOBAL_PROPS.def(property)
                .orElseThrow(() -> new QubesNoSuchPropertyError("Invalid property '" + property + "' of global properties"));
    }

    public boolean has(QubeRecord q, String property) {
        return QUBE_PROPS.def(property).map(d -> d.appliesTo(q.klass)).orElse(false);
    }

    // ---- effective values -------------------------------------------------------------------

    /** @return effective canonical value ({@code ""} = None / no value) */
    public String value(QubeRecord q, String property) {
        switch (property) {
            case "name":
                return q.name;
            case "qid":
                return Integer.toString(q.qid);
            case "uuid":
                return q.uuid.toString();
            default:
                break;
        }
        PropertyDef d = def(q, property);
        if (!d.readOnly()) {
            String stored = q.stored(property);
            if (stored != null) {
                return stored;
            }
        }
        return d.defaultFn().compute(this, q).orElse("");
    }

    public boolean isDefault(QubeRecord q, String property) {
        PropertyDef d = def(q, property);
        if (d.name().equals("name") || d.name().equals("qid") || d.name().equals("uuid")) {
            return false;
        }
        return d.readOnly() || q.stored(property) == null;
    }

    public PropertyValue propertyValue(QubeRecord q, String property) {
        PropertyDef d = def(q, property);
        return new PropertyValue(property, d.type(), isDefault(q, property), value(q, property));
    }

    public Optional<PropertyValue> defaultValue(QubeRecord q, String property) {
        PropertyDef d = def(q, property);
        return d.defaultFn().compute(this, q).map(v -> new PropertyValue(property, d.type(), true, v));
    }

    public String globalValue(String property) {
        PropertyDef d = globalDef(property);
        if (!d.readOnly()) {
            String stored = state.globals.get(property);
            if (stored != null) {
                return stored;
            }
        }
        return d.defaultFn().compute(this, null).orElse("");
    }

    public PropertyValue globalPropertyValue(String property) {
        PropertyDef d = globalDef(property);
        boolean isDefault = d.readOnly() || !state.globals.containsKey(property);
        return new PropertyValue(property, d.type(), isDefault, globalValue(property));
    }

    public Optional<PropertyValue> globalDefault(String property) {
        PropertyDef d = globalDef(property);
        return d.defaultFn().compute(this, null).map(v -> new PropertyValue(property, d.type(), true, v));
    }

    public int intValue(QubeRecord q, String property) {
        String v = value(q, property);
        return v.isEmpty() ? 0 : Integer.parseInt(v);
    }

    public boolean boolValue(QubeRecord q, String property) {
        return has(q, property) && "True".equals(value(q, property));
    }

    /** @return the referenced qube of a VM property, empty for None or a dangling name */
    public Optional<QubeRecord> vmValue(QubeRecord q, String property) {
        if (!has(q, property)) {
            return Optional.empty();
        }
        String v = value(q, property);
        return v.isEmpty() ? Optional.empty() : state.byName(v);
    }

    public Optional<QubeRecord> template(QubeRecord q) {
        return q.klass.isTemplateBased() ? vmValue(q, "template") : Optional.empty();
    }

    public boolean isNetworked(QubeRecord q) {
        return !q.isAdmin() && (boolValue(q, "provides_network") || vmValue(q, "netvm").isPresent());
    }

    public boolean hasPciDevices(QubeRecord q) {
        return q.devices.stream().anyMatch(d -> d.deviceClass().equals("pci"));
    }

    public String startTime(QubeRecord q) {
        return env.startTime(q.name);
    }

    /** Feature on the qube, then up its template chain ({@code check_with_template}). */
    public Optional<String> featureWithTemplate(QubeRecord q, String feature) {
        Set<QubeRecord> seen = new HashSet<>();
        for (QubeRecord cur = q; cur != null && seen.add(cur); cur = template(cur).orElse(null)) {
            String v = cur.features.get(feature);
            if (v != null) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** Feature on the qube, then up its netvm chain ({@code check_with_netvm}). */
    public Optional<String> featureWithNetvm(QubeRecord q, String feature) {
        Set<QubeRecord> seen = new HashSet<>();
        for (QubeRecord cur = q; cur != null && seen.add(cur); cur = vmValue(cur, "netvm").orElse(null)) {
            String v = cur.features.get(feature);
            if (v != null) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    public Optional<String> readKernelFile(String kernel, String file) {
        if (kernel.isEmpty() || env.kernelsDir() == null) {
            return Optional.empty();
        }
        Path p = env.kernelsDir().resolve(kernel).resolve(file);
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return the default pool: pool named {@code default}, else the first {@code file} pool, else the first pool */
    public String defaultPool() {
        if (state.pools.containsKey("default")) {
            return "default";
        }
        return state.pools.values().stream().filter(p -> p.driver().equals("file")).map(PoolConfig::name).findFirst()
                .orElse(state.pools.keySet().stream().findFirst().orElse(""));
    }

    /** @return names (with role) of qubes whose effective netvm is {@code q}; {@code runningOnly} filters */
    public List<String> netvmClients(QubeRecord q, boolean runningOnly) {
        List<String> clients = new ArrayList<>();
        for (QubeRecord other : state.qubes()) {
            if (other != q && !other.isAdmin() && q.name.equals(value(other, "netvm"))
                    && (!runningOnly || env.powerState(other.name).isActive())) {
                clients.add(other.name);
            }
        }
        return clients;
    }

    /** Checks that {@code netvm} may serve {@code q}: provides network, no loop. */
    public void checkNetvmCandidate(QubeRecord q, QubeRecord netvm) {
        if (!boolValue(netvm, "provides_network")) {
            throw new QubesPropertyValueError("The qube '" + netvm.name + "' does not provide network "
                    + "(provides_network=False), so it cannot be the netvm of '" + q.name + "'");
        }
        if (netvm == q) {
            throw new QubesPropertyValueError("Network loop on '" + q.name + "': a qube cannot be its own netvm");
        }
        Set<QubeRecord> seen = new HashSet<>();
        List<String> path = new ArrayList<>();
        path.add(q.name);
        for (QubeRecord cur = netvm; cur != null && seen.add(cur); cur = vmValue(cur, "netvm").orElse(null)) {
            path.add(cur.name);
            if (cur == q) {
                throw new QubesPropertyValueError("Network loop on '" + q.name + "': " + String.join(" -> ", path));
            }
        }
    }

    // ---- value canonicalisation ----------------------------------------------------------------

    /**
     * Parses a user-supplied value into its canonical form according to the property type;
     * qube references are resolved to names (must exist).
     */
    public String canonical(PropertyDef d, String holder, String rawValue) {
        final String raw = rawValue == null ? "" : rawValue;
        switch (d.type()) {
            case BOOL:
                return bool(parseBool(d, holder, raw));
            case INT: {
                if (raw.isEmpty() && d.allowNone()) {
                    return "";
                }
                String t = raw.strip();
                if (!t.matches("[+-]?[0-9]{1,10}")) {
                    throw new QubesPropertyValueError("Invalid value '" + raw + "' for property '" + d.name()
                            + "' of " + holder + ": not an integer");
                }
                try {
                    return Integer.toString(Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    throw new QubesPropertyValueError("Invalid value '" + raw + "' for property '" + d.name()
                            + "' of " + holder + ": integer out of range");
                }
            }
            case LABEL:
                return resolveLabel(raw).name();
            case VM: {
                if (raw.isEmpty()) {
                    if (!d.allowNone()) {
                        throw new QubesPropertyValueError("Property '" + d.name() + "' of " + holder + " cannot be None");
                    }
                    return "";
                }
                if (!raw.startsWith("uuid:")) {
                    QubeNames.validate(raw);
                }
                return find(raw).map(q -> q.name).orElseThrow(() -> new QubesPropertyValueError(
                        "Can't set " + d.name() + " of " + holder + " to non-existing qube '" + raw + "'"));
            }
            case STR:
            default:
                checkPrintable(d.name(), holder, raw);
                if (d.name().equals("virt_mode")) {
                    return raw.toLowerCase(Locale.ROOT);
                }
                return raw;
        }
    }

    private static boolean parseBool(PropertyDef d, String holder, String raw) {
        switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "1": case "yes": case "true": case "on":
                return true;
            case "0": case "no": case "false": case "off": case "":
                return false;
            default:
                throw new QubesPropertyValueError("Invalid value '" + raw + "' for bool property '" + d.name() + "' of "
                        + holder + ": use one of 1/yes/true/on or 0/no/false/off");
        }
    }

    /** Only printable ASCII plus tab/newline: anything else could not be stored faithfully. */
    public static void checkPrintable(String what, String holder, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c > 0x7e) {
                throw new QubesValueError("Invalid value for '" + what + "' of " + holder
                        + ": only printable ASCII characters are allowed (found code " + (int) c + " at index " + i + ")");
            }
        }
    }

    /** Resolves a label given as name, {@code label-N} or index N. */
    public Label resolveLabel(String raw) {
        Optional<Label> byName = state.labelByName(raw);
        if (byName.isPresent()) {
            return byName.get();
        }
        String idx = raw.startsWith("label-") ? raw.substring(6) : raw;
        if (idx.matches("[0-9]{1,9}")) {
            Label l = state.labels.get(Integer.parseInt(idx));
            if (l != null) {
                return l;
            }
        }
        throw new QubesLabelNotFoundError("Label does not exist: " + raw);
    }

    // ---- shared checks -------------------------------------------------------------------------

    public static String bool(boolean b) {
        return b ? "True" : "False";
    }

    static void positive(Model m, QubeRecord q, String value) {
        if (!value.isEmpty() && Integer.parseInt(value) <= 0) {
            throw new QubesPropertyValueError("Value must be positive, got " + value + (q == null ? "" : " for '" + q.name + "'"));
        }
    }

    static void nonNegative(Model m, QubeRecord q, String value) {
        if (!value.isEmpty() && Integer.parseInt(value) < 0) {
            throw new QubesPropertyValueError("Value must be >= 0, got " + value + (q == null ? "" : " for '" + q.name + "'"));
        }
    }

    static void checkKernel(Model m, QubeRecord q, String value) {
        if (value.isEmpty()) {
            return;
        }
        if (value.contains("/") || value.equals(".") || value.equals("..")) {
            throw new QubesPropertyValueError("Kernel name '" + value + "' must not contain '/'");
        }
        Path dir = m.env().kernelsDir();
        if (dir == null || !Files.isRegularFile(dir.resolve(value).resolve("vmlinuz"))) {
            throw new QubesPropertyValueError("Kernel '" + value + "' not installed: "
                    + (dir == null ? "no kernels directory configured" : dir.resolve(value).resolve("vmlinuz") + " does not exist"));
        }
    }

    static void checkDispvmTemplate(Model m, QubeRecord q, String value) {
        if (value.isEmpty()) {
            return;
        }
        QubeRecord t = m.state().byName(value).orElseThrow();
        if (!m.boolValue(t, "template_for_dispvms")) {
            throw new QubesPropertyValueError("Qube '" + value + "' is not a disposable template: set "
                    + "template_for_dispvms=True on it first");
        }
    }
}
