package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.AgentReadiness;
import io.bulkhead.core.domains.DeviceAlreadyAssigned;
import io.bulkhead.core.domains.DeviceNotAssigned;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.HypervisorStatus;
import io.bulkhead.core.domains.Label;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.PropertyInfo;
import io.bulkhead.core.domains.PropertyValue;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubeNames;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.QubesFeatureNotFoundError;
import io.bulkhead.core.domains.QubesLabelInUseError;
import io.bulkhead.core.domains.QubesLabelNotFoundError;
import io.bulkhead.core.domains.QubesPropertyAccessError;
import io.bulkhead.core.domains.QubesPropertyValueError;
import io.bulkhead.core.domains.QubesTagNotFoundError;
import io.bulkhead.core.domains.QubesVMInUseError;
import io.bulkhead.core.domains.QubesVMNotHaltedError;
import io.bulkhead.core.domains.QubesValueError;
import io.bulkhead.core.domains.QubesVolumeNotFoundError;
import io.bulkhead.core.domains.device.DeviceAssignment;
import io.bulkhead.core.domains.event.DomainEvent;
import io.bulkhead.core.domains.event.FeatureEvent;
import io.bulkhead.core.domains.event.PropertyEvent;
import io.bulkhead.core.domains.event.QubesEvent;
import io.bulkhead.core.domains.event.QubesEventListener;
import io.bulkhead.core.domains.event.TagEvent;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.domains.internal.events.EventDispatcher;
import io.bulkhead.core.domains.internal.model.GlobalProperties;
import io.bulkhead.core.domains.internal.model.Model;
import io.bulkhead.core.domains.internal.model.ModelEnv;
import io.bulkhead.core.domains.internal.model.ModelState;
import io.bulkhead.core.domains.internal.model.PoolConfig;
import io.bulkhead.core.domains.internal.model.PropertyDef;
import io.bulkhead.core.domains.internal.model.QubeProperties;
import io.bulkhead.core.domains.internal.model.QubeRecord;
import io.bulkhead.core.domains.internal.storage.QemuImg;
import io.bulkhead.core.domains.internal.store.StoreFile;
import io.bulkhead.core.domains.storage.Pool;
import io.bulkhead.core.domains.storage.PoolDriver;
import io.bulkhead.core.domains.storage.Revision;
import io.bulkhead.core.domains.storage.VolumeConfig;
import io.bulkhead.core.domains.storage.VolumeInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The model service. Every public mutating call runs as a transaction under the model lock: on
 * any failure (validation, veto, I/O) the in-memory state is rolled back; on success the store is
 * saved before the call returns. Nested calls (from event listeners) join the outer transaction.
 */
public class DomainsServiceImpl implements DomainsService, AutoCloseable {

    static final Pattern FEATURE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    static final Pattern FEATURE_VALUE = Pattern.compile("[\\x20-\\x7E]*");
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9_-]+");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z0-9_-]+");
    static final Pattern COLOR = Pattern.compile("0x[0-9a-fA-F]{6}");
    static final int MAX_QID = 10000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Path dataDir;
    private final StoreFile store;
    private final ModelState state;
    private final Model model;
    private final EventDispatcher events;
    private final StorageManager storage;
    private final RuntimeStates runtime = new RuntimeStates();
    private final HypervisorSelector hypervisors;
    private final PowerManager power;
    private final BackendSwitch backendSwitch;
    private final DeviceManager devices;
    private final BiConsumer<String, Throwable> log;
    private final SecureRandom random = new SecureRandom();
    private volatile AgentReadiness agentReadiness;
    private int depth;
    /** Irreversible side effects (file deletion) of the running transaction, done once it is saved. */
    private final List<Runnable> afterCommit = new ArrayList<>();

    /**
     * Opens (or creates) the store in {@code dataDir}.
     *
     * @param dataDir      data directory
     * @param storeName    store file name ({@code qubes.xml})
     * @param hypervisorId backend to use among bound {@link Hypervisor} services
     * @param qemuImg      qemu-img command for the file driver
     * @param log          receives warnings (message, optional cause)
     */
    public DomainsServiceImpl(Path dataDir, String storeName, String hypervisorId, String qemuImg,
                              BiConsumer<String, Throwable> log) {
        this.dataDir = dataDir.toAbsolutePath();
        this.log = log;
        this.events = new EventDispatcher(log);
        this.storage = new StorageManager(new QemuImg(qemuImg));
        this.devices = new DeviceManager(log);
        this.store = new StoreFile(this.dataDir.resolve(storeName));
        this.power = new PowerManager(this);
        this.hypervisors = new HypervisorSelector(hypervisorId, power::onBackendStateChange, power::reconcile);
        this.backendSwitch = new BackendSwitch(this, power);
        ModelEnv env = new Env();
        try {
            Optional<ModelState> loaded = store.load(env);
            this.state = loaded.orElseGet(this::initialState);
            this.model = new Model(state, env);
            if (loaded.isEmpty()) {
                store.save(state);
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private ModelState initialState() {
        ModelState s = new ModelState();
        String[][] labels = {{"red", "0xcc0000"}, {"orange", "0xf57900"}, {"yellow", "0xedd400"}, {"green", "0x73d216"},
            {"gray", "0x555555"}, {"blue", "0x3465a4"}, {"purple", "0x75507b"}, {"black", "0x000000"}};
        for (int i = 0; i < labels.length; i++) {
            s.labels.put(i + 1, new Label(i + 1, labels[i][0], labels[i][1]));
        }
        s.pools.put("varlibqubes", new PoolConfig("varlibqubes", "file",
                Map.of("dir_path", dataDir.toString(), "revisions_to_keep", "1", "ephemeral_volatile", "False")));
        s.pools.put("linux-kernel", new PoolConfig("linux-kernel", "linux-kernel",
                Map.of("dir_path", dataDir.resolve("vm-kernels").toString())));
        s.globals.put("default_pool_kernel", "linux-kernel");
        QubeRecord dom0 = new QubeRecord(QubeClass.ADMIN_VM, "dom0", 0, new UUID(0, 0));
        dom0.props.put("label", "black");
        s.add(dom0);
        return s;
    }

    // ---- wiring (called by the DS component or tests) -------------------------------------------

    public void bindHypervisor(Hypervisor hypervisor, String id) {
        hypervisors.bind(hypervisor, id);
    }

    public void unbindHypervisor(Hypervisor hypervisor) {
        hypervisors.unbind(hypervisor);
    }

    public void addListener(QubesEventListener listener, int ranking, long serviceId, List<String> patterns) {
        events.add(listener, ranking, serviceId, patterns);
    }

    public void removeListener(QubesEventListener listener) {
        events.remove(listener);
    }

    public void setAgentReadiness(AgentReadiness readiness) {
        this.agentReadiness = readiness;
    }

    public void addPoolDriver(PoolDriver driver) {
        storage.addDriver(driver);
    }

    public void removePoolDriver(PoolDriver driver) {
        storage.removeDriver(driver);
    }

    public void addDeviceClass(io.bulkhead.core.domains.device.DeviceClass deviceClass) {
        devices.add(deviceClass);
    }

    public void removeDeviceClass(io.bulkhead.core.domains.device.DeviceClass deviceClass) {
        devices.remove(deviceClass);
    }

    @Override
    public void close() {
        power.close();
        hypervisors.close();
        store.close();
    }

    // ---- internals shared with PowerManager -----------------------------------------------------

    Path dataDir() {
        return dataDir;
    }

    ReentrantLock lock() {
        return lock;
    }

    Model model() {
        return model;
    }

    RuntimeStates runtime() {
        return runtime;
    }

    HypervisorSelector hypervisors() {
        return hypervisors;
    }

    StorageManager storage() {
        return storage;
    }

    DeviceManager devices() {
        return devices;
    }

    AgentReadiness agentReadiness() {
        return agentReadiness;
    }

    BiConsumer<String, Throwable> log() {
        return log;
    }

    void fire(QubesEvent event) {
        events.fire(event);
    }

    /** Runs {@code op} under the model lock without persisting (reads). */
    <T> T read(Supplier<T> op) {
        lock.lock();
        try {
            return op.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a mutation as a transaction: rollback on failure, save on success (outermost call only). */
    <T> T mutate(Supplier<T> op) {
        lock.lock();
        try {
            boolean outermost = depth == 0;
            ModelState backup = outermost ? state.deepCopy() : null;
            depth++;
            try {
                T result = op.get();
                if (outermost) {
                    store.save(state);
                    runAfterCommit();
                }
                return result;
            } catch (RuntimeException | Error e) {
                if (outermost) {
                    state.restoreFrom(backup);
                    afterCommit.clear();
                }
                throw e;
            } finally {
                depth--;
            }
        } finally {
            lock.unlock();
        }
    }

    private void runAfterCommit() {
        List<Runnable> actions = new ArrayList<>(afterCommit);
        afterCommit.clear();
        for (Runnable r : actions) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.accept("clean-up after a saved change failed", e);
            }
        }
    }

    void mutateVoid(Runnable op) {
        mutate(() -> {
            op.run();
            return null;
        });
    }

    // ---- qubes ---------------------------------------------------------------------------------

    @Override
    public List<QubeInfo> list() {
        return read(() -> {
            List<QubeInfo> out = new ArrayList<>();
            for (QubeRecord q : state.qubes()) {
                out.add(info(q));
            }
            return out;
        });
    }

    @Override
    public QubeInfo get(String qube) {
        return read(() -> info(model.qube(qube)));
    }

    @Override
    public Optional<QubeInfo> find(String qube) {
        return read(() -> model.find(qube).map(this::info));
    }

    QubeInfo info(QubeRecord q) {
        Optional<String> template = q.klass.isTemplateBased() ? nonEmpty(model.value(q, "template")) : Optional.empty();
        Optional<String> netvm = model.has(q, "netvm") ? nonEmpty(model.value(q, "netvm")) : Optional.empty();
        return new QubeInfo(q.name, q.qid, q.uuid, q.klass, model.value(q, "label"), powerStateOf(q), template, netvm,
                model.boolValue(q, "provides_network"), model.boolValue(q, "template_for_dispvms"),
                nonEmpty(model.value(q, "default_dispvm")), q.features, q.tags);
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    PowerState powerStateOf(QubeRecord q) {
        return q.isAdmin() ? PowerState.RUNNING : runtime.get(q.name);
    }

    @Override
    public List<String> qubeClasses() {
        return List.of("AdminVM", "AppVM", "DispVM", "StandaloneVM", "TemplateVM");
    }

    @Override
    public QubeInfo create(QubeClass klass, String name, String label, Map<String, String> properties) {
        Objects.requireNonNull(klass, "klass");
        Map<String, String> props = new LinkedHashMap<>(properties == null ? Map.of() : properties);
        return mutate(() -> {
            if (klass == QubeClass.ADMIN_VM) {
                throw new QubesValueError("Cannot create another AdminVM: dom0 exists already");
            }
            QubeNames.validate(name);
            if (state.byName(name).isPresent()) {
                throw new QubesValueError("A VM named '" + name + "' already exists");
            }
            if (label == null || label.isEmpty()) {
                throw new QubesValueError("A label is required to create qube '" + name + "'");
            }
            Label resolvedLabel = model.resolveLabel(label);
            QubeRecord q = new QubeRecord(klass, name, newQid(), UUID.randomUUID());
            q.props.put("label", resolvedLabel.name());
            if (klass == QubeClass.DISP_VM) {
                q.props.put("dispid", Integer.toString(newDispid()));
            }
            if (klass.isTemplateBased() && !props.containsKey("template")) {
                String fallback = model.globalValue(klass == QubeClass.DISP_VM ? "default_dispvm" : "default_template");
                if (fallback.isEmpty()) {
                    throw new QubesValueError("No template given for '" + name + "' and global "
                            + (klass == QubeClass.DISP_VM ? "default_dispvm" : "default_template") + " is not set");
                }
                props.put("template", fallback);
            }
            state.add(q);
            // template first: other defaults (and volume sources) follow it
            List<Map.Entry<String, String>> ordered = new ArrayList<>(props.entrySet());
            ordered.sort((a, b) -> Boolean.compare(!a.getKey().equals("template"), !b.getKey().equals("template")));
            for (Map.Entry<String, String> e : ordered) {
                String prop = e.getKey();
                if (prop.equals("name") || prop.equals("label")) {
                    continue;
                }
                PropertyDef d = model.def(q, prop);
                if (d.readOnly() || (d.writeOnce() && q.stored(prop) != null)) {
                    throw new QubesPropertyAccessError("Property '" + prop + "' of '" + name + "' cannot be set at creation");
                }
                String value = model.canonical(d, "'" + name + "'", e.getValue());
                d.check().check(model, q, value);
                q.props.put(prop, value);
            }
            if (model.boolValue(q, "provides_network")) {
                q.features.put("servicevm", "1");
            }
            if ("False".equals(model.globalValue("check_updates_vm"))) {
                q.features.put("check-updates", "");
            }
            createVolumes(q);
            fire(new DomainEvent(DomainEvent.Kind.ADD, q.name));
            return info(q);
        });
    }

    private void createVolumes(QubeRecord q) {
        if (state.pools.isEmpty()) {
            return;
        }
        q.volumes.putAll(storage.defaultVolumes(model, q));
        List<VolumeConfig> created = new ArrayList<>();
        try {
            for (VolumeConfig v : q.volumes.values()) {
                Pool pool = storage.pool(model, v);
                if (v.saveOnStop() && pool.path(v).map(p -> Files.exists(Path.of(p))).orElse(false)) {
                    log.accept("volume " + v.vid() + " of new qube " + q.name + " already has files (left over from a crash "
                            + "or an earlier qube of that name); the file driver keeps them renamed *.orphaned-<time>", null);
                }
                pool.create(v);
                created.add(v);
            }
        } catch (RuntimeException e) {
            for (VolumeConfig v : created) {
                try {
                    storage.pool(model, v).remove(v);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    private int newQid() {
        for (int qid = 1; qid < MAX_QID; qid++) {
            if (state.byQid(qid).isEmpty()) {
                return qid;
            }
        }
        throw new QubesException("No unused qid left (all of 1.." + (MAX_QID - 1) + " are taken)");
    }

    private int newDispid() {
        Set<String> used = new TreeSet<>();
        for (QubeRecord q : state.qubes()) {
            if (q.stored("dispid") != null) {
                used.add(q.stored("dispid"));
            }
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            int id = random.nextInt(MAX_QID);
            if (!used.contains(Integer.toString(id)) && state.byName("disp" + id).isEmpty()) {
                return id;
            }
        }
        throw new QubesException("Failed to find an unused dispid after 100 tries");
    }

    @Override
    public QubeInfo createDisposable(String dispTemplate) {
        return mutate(() -> {
            QubeRecord dvm = model.qube(dispTemplate);
            if (!model.boolValue(dvm, "template_for_dispvms")) {
                throw new QubesException("Refusing to create disposable out of app qube which has template_for_dispvms=False ('"
                        + dvm.name + "')");
            }
            int dispid = newDispid();
            String name = "disp" + dispid;
            Map<String, String> props = new LinkedHashMap<>();
            props.put("template", dvm.name);
            props.put("auto_cleanup", "True");
            QubeInfo created = create(QubeClass.DISP_VM, name, model.value(dvm, "label"), props);
            QubeRecord q = model.qube(created.name());
            q.props.put("dispid", Integer.toString(dispid));
            for (Map.Entry<String, String> f : dvm.features.entrySet()) {
                if (!f.getKey().startsWith("preload-dispvm")) {
                    q.features.put(f.getKey(), f.getValue());
                }
            }
            q.tags.addAll(dvm.tags);
            return info(q);
        });
    }

    @Override
    public void remove(String qube) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            if (q.isAdmin()) {
                throw new QubesVMInUseError(q.name, "Cannot remove dom0");
            }
            if (powerStateOf(q) != PowerState.HALTED) {
                throw new QubesVMNotHaltedError(q.name, "Cannot remove qube '" + q.name + "': it is not halted ("
                        + powerStateOf(q).qubesName() + ")");
            }
            if (model.boolValue(q, "installed_by_rpm")) {
                throw new QubesVMInUseError(q.name, "Qube '" + q.name + "' was installed by a package; remove the package instead");
            }
            List<String> users = usersOf(q);
            if (!users.isEmpty()) {
                throw new QubesVMInUseError(q.name, "Qube '" + q.name + "' is in use by: " + String.join("; ", users));
            }
            fire(new DomainEvent(DomainEvent.Kind.PRE_DELETE, q.name));
            state.remove(q);
            // files go only once the store no longer references them; a crash in between leaves
            // orphans that the file driver moves aside if the name is reused
            List<VolumeConfig> volumes = new ArrayList<>(q.volumes.values());
            afterCommit.add(() -> {
                hypervisors.current().ifPresent(h -> {
                    try {
                        h.undefine(q.name);
                    } catch (RuntimeException e) {
                        log.accept("cannot undefine domain " + q.name + " in hypervisor " + h.id(), e);
                    }
                });
                for (VolumeConfig v : volumes) {
                    try {
                        storage.pool(model, v).remove(v);
                    } catch (RuntimeException e) {
                        log.accept("cannot remove volume " + v.vid() + " of removed qube " + q.name, e);
                    }
                }
            });
            runtime.forget(q.name);
            fire(new DomainEvent(DomainEvent.Kind.DELETE, q.name));
        });
    }

    /** Every reference that prevents removal (reference §6.6). */
    List<String> usersOf(QubeRecord q) {
        List<String> users = new ArrayList<>();
        for (String g : GlobalProperties.VM_REFERENCES) {
            if (q.name.equals(model.globalValue(g))) {
                users.add("global property " + g);
            }
        }
        for (QubeRecord other : state.qubes()) {
            if (other == q) {
                continue;
            }
            for (String p : QubeProperties.VM_REFERENCES) {
                if (q.name.equals(other.stored(p)) && model.has(other, p)) {
                    users.add("qube '" + other.name + "' (" + p + ")");
                }
            }
            for (DeviceAssignment a : other.devices) {
                if (a.backendDomain().equals(q.name)) {
                    users.add("qube '" + other.name + "' (" + a.deviceClass() + " device " + a.port() + " assigned from it)");
                }
            }
        }
        return users;
    }

    // ---- properties ----------------------------------------------------------------------------

    @Override
    public List<String> propertyNames(String qube) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            List<String> names = new ArrayList<>();
            for (PropertyDef d : Model.qubeProperties().all()) {
                if (d.appliesTo(q.klass)) {
                    names.add(d.name());
                }
            }
            names.sort(null);
            return names;
        });
    }

    @Override
    public PropertyInfo propertyInfo(String qube, String property) {
        return read(() -> model.def(model.qube(qube), property).info());
    }

    @Override
    public PropertyValue getProperty(String qube, String property) {
        return read(() -> model.propertyValue(model.qube(qube), property));
    }

    @Override
    public List<PropertyValue> getProperties(String qube) {
        // one lock and one lookup for the whole set, rather than one per property
        return read(() -> {
            QubeRecord q = model.qube(qube);
            List<PropertyValue> values = new ArrayList<>();
            for (PropertyDef d : Model.qubeProperties().all()) {
                if (d.appliesTo(q.klass)) {
                    values.add(model.propertyValue(q, d.name()));
                }
            }
            values.sort(java.util.Comparator.comparing(PropertyValue::name));
            return values;
        });
    }

    @Override
    public Optional<PropertyValue> getPropertyDefault(String qube, String property) {
        return read(() -> model.defaultValue(model.qube(qube), property));
    }

    @Override
    public String propertyHelp(String qube, String property) {
        return read(() -> model.def(model.qube(qube), property).help());
    }

    @Override
    public void setProperty(String qube, String property, String value) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            PropertyDef d = model.def(q, property);
            checkWritable(q, d);
            String canonical = model.canonical(d, "'" + q.name + "'", value);
            d.check().check(model, q, canonical);
            String old = model.value(q, property);
            Map<String, String> before = defaultsSnapshot();
            fire(new PropertyEvent(PropertyEvent.Kind.PRE_SET, Optional.of(q.name), property, canonical, Optional.of(old)));
            q.props.put(property, canonical);
            afterPropertyChange(q, property);
            fire(new PropertyEvent(PropertyEvent.Kind.SET, Optional.of(q.name), property, canonical, Optional.of(old)));
            fireFollowingDefaults(before, q.name + "/" + property);
        });
    }

    private void checkWritable(QubeRecord q, PropertyDef d) {
        if (d.readOnly()) {
            throw new QubesPropertyAccessError("Property '" + d.name() + "' of '" + q.name + "' is read-only");
        }
        boolean fixed = d.name().equals("name") || d.name().equals("qid") || d.name().equals("uuid")
                || (d.writeOnce() && q.stored(d.name()) != null);
        if (fixed) {
            throw new QubesPropertyAccessError("Property '" + d.name() + "' of '" + q.name + "' is write-once and already set");
        }
    }

    @Override
    public void resetProperty(String qube, String property) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            PropertyDef d = model.def(q, property);
            if (d.readOnly() || d.writeOnce() || property.equals("name") || property.equals("qid") || property.equals("uuid")) {
                throw new QubesPropertyAccessError("Property '" + property + "' of '" + q.name + "' cannot be reset");
            }
            if (property.equals("template")) {
                throw new QubesPropertyValueError("Cannot unset template of '" + q.name + "'");
            }
            if (q.stored(property) == null) {
                return;
            }
            String old = model.value(q, property);
            String stored = q.props.remove(property);
            String fallback;
            try {
                fallback = model.value(q, property);
                if (!(d.type() == io.bulkhead.core.domains.PropertyType.VM && fallback.isEmpty())) {
                    d.check().check(model, q, fallback);
                }
            } finally {
                q.props.put(property, stored);
            }
            Map<String, String> before = defaultsSnapshot();
            fire(new PropertyEvent(PropertyEvent.Kind.PRE_RESET, Optional.of(q.name), property, fallback, Optional.of(old)));
            q.props.remove(property);
            afterPropertyChange(q, property);
            fire(new PropertyEvent(PropertyEvent.Kind.RESET, Optional.of(q.name), property, model.value(q, property),
                    Optional.of(old)));
            fireFollowingDefaults(before, q.name + "/" + property);
        });
    }

    /** Side effects of a property change that keep the model consistent. */
    private void afterPropertyChange(QubeRecord q, String property) {
        if (property.equals("template") && q.klass == QubeClass.APP_VM) {
            QubeRecord template = model.template(q).orElseThrow();
            VolumeConfig root = q.volumes.get("root");
            VolumeConfig troot = template.volumes.get("root");
            if (root != null && troot != null) {
                q.volumes.put("root", StorageManager.snapshotOf(q, "root", troot, root.rw()));
            }
        }
        if (property.equals("provides_network") && model.boolValue(q, "provides_network")) {
            q.features.put("servicevm", "1");
        }
    }

    /** Values of every property currently at its default (only computed when someone listens). */
    private Map<String, String> defaultsSnapshot() {
        if (events.isEmpty()) {
            return Map.of();
        }
        Map<String, String> snap = new HashMap<>();
        for (QubeRecord q : state.qubes()) {
            for (PropertyDef d : Model.qubeProperties().all()) {
                if (d.appliesTo(q.klass) && !d.readOnly() && !d.writeOnce() && q.stored(d.name()) == null) {
                    snap.put(q.name + "/" + d.name(), model.value(q, d.name()));
                }
            }
        }
        for (PropertyDef d : Model.globalProperties().all()) {
            if (!d.readOnly() && !state.globals.containsKey(d.name())) {
                snap.put("/" + d.name(), model.globalValue(d.name()));
            }
        }
        return snap;
    }

    /** Fires {@code property-reset:NAME} for defaults that changed because something they follow changed. */
    private void fireFollowingDefaults(Map<String, String> before, String changedKey) {
        if (before.isEmpty()) {
            return;
        }
        Map<String, String> after = defaultsSnapshot();
        for (Map.Entry<String, String> e : new TreeMap<>(before).entrySet()) {
            String now = after.get(e.getKey());
            if (now == null || now.equals(e.getValue()) || e.getKey().equals(changedKey)) {
                continue;
            }
            int slash = e.getKey().indexOf('/');
            String qube = e.getKey().substring(0, slash);
            String prop = e.getKey().substring(slash + 1);
            fire(new PropertyEvent(PropertyEvent.Kind.RESET, qube.isEmpty() ? Optional.empty() : Optional.of(qube), prop,
                    now, Optional.of(e.getValue())));
        }
    }

    // ---- global properties ---------------------------------------------------------------------

    @Override
    public List<String> globalPropertyNames() {
        List<String> names = new ArrayList<>();
        for (PropertyDef d : Model.globalProperties().all()) {
            names.add(d.name());
        }
        names.sort(null);
        return names;
    }

    @Override
    public PropertyInfo globalPropertyInfo(String property) {
        return model.globalDef(property).info();
    }

    @Override
    public PropertyValue getGlobalProperty(String property) {
        return read(() -> model.globalPropertyValue(property));
    }

    @Override
    public Optional<PropertyValue> getGlobalPropertyDefault(String property) {
        return read(() -> model.globalDefault(property));
    }

    @Override
    public String globalPropertyHelp(String property) {
        return model.globalDef(property).help();
    }

    @Override
    public void setGlobalProperty(String property, String value) {
        mutateVoid(() -> {
            PropertyDef d = model.globalDef(property);
            if (d.readOnly()) {
                throw new QubesPropertyAccessError("Global property '" + property + "' is read-only");
            }
            String canonical = model.canonical(d, "global properties", value);
            d.check().check(model, null, canonical);
            String old = model.globalValue(property);
            Map<String, String> before = defaultsSnapshot();
            fire(new PropertyEvent(PropertyEvent.Kind.PRE_SET, Optional.empty(), property, canonical, Optional.of(old)));
            state.globals.put(property, canonical);
            afterGlobalChange(property, old);
            fire(new PropertyEvent(PropertyEvent.Kind.SET, Optional.empty(), property, canonical, Optional.of(old)));
            fireFollowingDefaults(before, "/" + property);
        });
    }

    @Override
    public void resetGlobalProperty(String property) {
        mutateVoid(() -> {
            PropertyDef d = model.globalDef(property);
            if (d.readOnly()) {
                throw new QubesPropertyAccessError("Global property '" + property + "' is read-only");
            }
            if (!state.globals.containsKey(property)) {
                return;
            }
            String old = model.globalValue(property);
            String stored = state.globals.remove(property);
            String fallback = model.globalValue(property);
            try {
                if (!fallback.isEmpty()) {
                    d.check().check(model, null, fallback);
                }
            } finally {
                state.globals.put(property, stored);
            }
            Map<String, String> before = defaultsSnapshot();
            fire(new PropertyEvent(PropertyEvent.Kind.PRE_RESET, Optional.empty(), property, fallback, Optional.of(old)));
            state.globals.remove(property);
            afterGlobalChange(property, old);
            fire(new PropertyEvent(PropertyEvent.Kind.RESET, Optional.empty(), property, fallback, Optional.of(old)));
            fireFollowingDefaults(before, "/" + property);
        });
    }

    private void afterGlobalChange(String property, String old) {
        if (property.equals("clockvm")) {
            String now = model.globalValue("clockvm");
            if (!old.isEmpty() && !old.equals(now)) {
                state.byName(old).ifPresent(q -> q.features.remove("service.clocksync"));
            }
            if (!now.isEmpty()) {
                state.byName(now).ifPresent(q -> q.features.put("service.clocksync", "1"));
            }
        }
    }

    // ---- features ------------------------------------------------------------------------------

    @Override
    public Map<String, String> features(String qube) {
        return read(() -> new TreeMap<>(model.qube(qube).features));
    }

    @Override
    public String feature(String qube, String feature) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            String v = q.features.get(feature);
            if (v == null) {
                throw featureNotFound(q, feature);
            }
            return v;
        });
    }

    private static QubesFeatureNotFoundError featureNotFound(QubeRecord q, String feature) {
        return new QubesFeatureNotFoundError("Feature not set for domain " + q.name + ": " + feature);
    }

    @Override
    public void setFeature(String qube, String feature, String value) {
        String v = value == null ? "" : value;
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            if (feature == null || !FEATURE_NAME.matcher(feature).matches()) {
                throw new QubesValueError("Invalid feature name '" + feature + "' on '" + q.name + "': allowed characters are a-z A-Z 0-9 _ . -");
            }
            if (!FEATURE_VALUE.matcher(v).matches()) {
                throw new QubesValueError("Invalid value of feature '" + feature + "' on '" + q.name + "': only printable ASCII is allowed");
            }
            Optional<String> old = Optional.ofNullable(q.features.get(feature));
            fire(new FeatureEvent(FeatureEvent.Kind.PRE_SET, q.name, feature, Optional.of(v), old));
            q.features.put(feature, v);
            fire(new FeatureEvent(FeatureEvent.Kind.SET, q.name, feature, Optional.of(v), old));
        });
    }

    @Override
    public void removeFeature(String qube, String feature) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            String old = q.features.get(feature);
            if (old == null) {
                throw featureNotFound(q, feature);
            }
            fire(new FeatureEvent(FeatureEvent.Kind.PRE_DELETE, q.name, feature, Optional.empty(), Optional.of(old)));
            q.features.remove(feature);
            fire(new FeatureEvent(FeatureEvent.Kind.DELETE, q.name, feature, Optional.empty(), Optional.of(old)));
        });
    }

    @Override
    public String featureCheckWithTemplate(String qube, String feature) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            return model.featureWithTemplate(q, feature).orElseThrow(() -> featureNotFound(q, feature));
        });
    }

    @Override
    public String featureCheckWithNetvm(String qube, String feature) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            return model.featureWithNetvm(q, feature).orElseThrow(() -> featureNotFound(q, feature));
        });
    }

    @Override
    public String featureCheckWithAdminVM(String qube, String feature) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            String v = q.features.get(feature);
            if (v == null) {
                v = state.byQid(0).map(d -> d.features.get(feature)).orElse(null);
            }
            if (v == null) {
                throw featureNotFound(q, feature);
            }
            return v;
        });
    }

    @Override
    public String featureCheckWithTemplateAndAdminVM(String qube, String feature) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            Optional<String> v = model.featureWithTemplate(q, feature);
            if (v.isEmpty()) {
                v = state.byQid(0).map(d -> d.features.get(feature));
            }
            return v.orElseThrow(() -> featureNotFound(q, feature));
        });
    }

    // ---- tags ----------------------------------------------------------------------------------

    @Override
    public Set<String> tags(String qube) {
        return read(() -> new TreeSet<>(model.qube(qube).tags));
    }

    @Override
    public void addTag(String qube, String tag) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            if (tag == null || !TAG.matcher(tag).matches()) {
                throw new QubesValueError("Invalid tag '" + tag + "' for '" + q.name + "': allowed characters are A-Z a-z 0-9 _ -");
            }
            if (q.tags.add(tag)) {
                fire(new TagEvent(true, q.name, tag));
            }
        });
    }

    @Override
    public void removeTag(String qube, String tag) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            if (!q.tags.remove(tag)) {
                throw new QubesTagNotFoundError("Tag not set for domain " + q.name + ": " + tag);
            }
            fire(new TagEvent(false, q.name, tag));
        });
    }

    // ---- labels --------------------------------------------------------------------------------

    @Override
    public List<Label> labels() {
        return read(() -> new ArrayList<>(state.labels.values()));
    }

    @Override
    public Label label(String name) {
        return read(() -> state.labelByName(name).orElseThrow(() -> new QubesLabelNotFoundError("Label does not exist: " + name)));
    }

    @Override
    public Label createLabel(String name, String color) {
        return mutate(() -> {
            if (name == null || !LABEL_NAME.matcher(name).matches()) {
                throw new QubesValueError("Invalid label name '" + name + "': allowed characters are a-z A-Z 0-9 _ -");
            }
            if (color == null || !COLOR.matcher(color).matches()) {
                throw new QubesValueError("Invalid colour '" + color + "' for label '" + name + "': expected 0xRRGGBB");
            }
            if (state.labelByName(name).isPresent()) {
                throw new QubesValueError("Label '" + name + "' already exists");
            }
            int index = Math.max(8, state.labels.isEmpty() ? 0 : state.labels.lastKey()) + 1;
            Label l = new Label(index, name, color.toLowerCase(java.util.Locale.ROOT).replace("0X", "0x"));
            state.labels.put(index, l);
            return l;
        });
    }

    @Override
    public void removeLabel(String name) {
        mutateVoid(() -> {
            Label l = state.labelByName(name).orElseThrow(() -> new QubesLabelNotFoundError("Label does not exist: " + name));
            if (l.index() <= 8) {
                throw new QubesLabelInUseError("Label '" + name + "' is built in and cannot be removed");
            }
            List<String> users = new ArrayList<>();
            for (QubeRecord q : state.qubes()) {
                if (name.equals(q.stored("label"))) {
                    users.add(q.name);
                }
            }
            if (!users.isEmpty()) {
                throw new QubesLabelInUseError("Label '" + name + "' is still used by: " + String.join(", ", users));
            }
            state.labels.remove(l.index());
        });
    }

    // ---- power ---------------------------------------------------------------------------------

    @Override
    public PowerState powerState(String qube) {
        return read(() -> powerStateOf(model.qube(qube)));
    }

    @Override
    public void start(String qube) {
        power.start(qube);
    }

    @Override
    public void shutdown(String qube, boolean force, boolean wait, Duration timeout) {
        power.shutdown(qube, force, wait, timeout);
    }

    @Override
    public void kill(String qube) {
        power.kill(qube);
    }

    @Override
    public void pause(String qube) {
        power.pause(qube);
    }

    @Override
    public void unpause(String qube) {
        power.unpause(qube);
    }

    // ---- hypervisor backend ----------------------------------------------------------------------

    @Override
    public HypervisorStatus hypervisorStatus() {
        return hypervisors.status();
    }

    @Override
    public void selectHypervisor(String id, boolean force) {
        backendSwitch.select(id, force);
    }

    // ---- volumes -------------------------------------------------------------------------------

    private VolumeConfig volume(QubeRecord q, String volume) {
        VolumeConfig v = q.volumes.get(volume);
        if (v == null) {
            throw new QubesVolumeNotFoundError("Qube '" + q.name + "' has no volume '" + volume + "'");
        }
        return v;
    }

    @Override
    public List<String> volumeNames(String qube) {
        return read(() -> new ArrayList<>(model.qube(qube).volumes.keySet()));
    }

    @Override
    public VolumeInfo volumeInfo(String qube, String volume) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            VolumeConfig v = volume(q, volume);
            Pool pool = storage.pool(model, v);
            int keep = v.saveOnStop() ? v.revisionsToKeep().orElse(pool.defaultRevisionsToKeep()) : 0;
            return new VolumeInfo(v, pool.path(v), pool.usage(v), pool.isOutdated(v), pool.revisions(v), keep);
        });
    }

    @Override
    public List<String> volumeRevisions(String qube, String volume) {
        return read(() -> {
            QubeRecord q = model.qube(qube);
            VolumeConfig v = volume(q, volume);
            List<String> ids = new ArrayList<>();
            for (Revision r : storage.pool(model, v).revisions(v)) {
                ids.add(r.id());
            }
            return ids;
        });
    }

    @Override
    public void revertVolume(String qube, String volume, String revision) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            VolumeConfig v = volume(q, volume);
            if (powerStateOf(q) != PowerState.HALTED) {
                throw new QubesVMNotHaltedError(q.name, "Cannot revert volume " + volume + " of '" + q.name + "' while it is not halted");
            }
            storage.pool(model, v).revert(v, revision);
        });
    }

    @Override
    public void setVolumeRevisionsToKeep(String qube, String volume, int revisionsToKeep) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            VolumeConfig v = volume(q, volume);
            if (revisionsToKeep < -1) {
                throw new QubesValueError("revisions_to_keep must be >= -1, got " + revisionsToKeep);
            }
            int current = v.revisionsToKeep().orElse(storage.pool(model, v).defaultRevisionsToKeep());
            if ((revisionsToKeep == -1) != (current == -1) && powerStateOf(q) != PowerState.HALTED) {
                throw new QubesVMNotHaltedError(q.name, "Cannot change revisions_to_keep to or from -1 while '" + q.name + "' runs");
            }
            q.volumes.put(volume, v.withRevisionsToKeep(Optional.of(revisionsToKeep)));
        });
    }

    @Override
    public void setVolumeRw(String qube, String volume, boolean rw) {
        mutateVoid(() -> {
            QubeRecord q = haltedForVolumeChange(qube, volume, "change rw of");
            VolumeConfig v = volume(q, volume);
            q.volumes.put(volume, new VolumeConfig(v.name(), v.pool(), v.vid(), v.size(), rw, v.snapOnStart(), v.saveOnStop(),
                    v.source(), v.revisionsToKeep(), v.ephemeral()));
        });
    }

    @Override
    public void setVolumeEphemeral(String qube, String volume, boolean ephemeral) {
        mutateVoid(() -> {
            QubeRecord q = haltedForVolumeChange(qube, volume, "change ephemeral of");
            VolumeConfig v = volume(q, volume);
            if (ephemeral && "file".equals(state.pools.get(v.pool()) == null ? null : state.pools.get(v.pool()).driver())) {
                throw new QubesValueError("Volume " + volume + " of '" + q.name + "' is in pool '" + v.pool()
                        + "' (driver file), which cannot encrypt volatile data with a throw-away key");
            }
            q.volumes.put(volume, new VolumeConfig(v.name(), v.pool(), v.vid(), v.size(), v.rw(), v.snapOnStart(), v.saveOnStop(),
                    v.source(), v.revisionsToKeep(), ephemeral));
        });
    }

    @Override
    public void clearVolume(String qube, String volume) {
        mutateVoid(() -> {
            QubeRecord q = haltedForVolumeChange(qube, volume, "clear");
            VolumeConfig v = volume(q, volume);
            if (!v.saveOnStop()) {
                throw new QubesValueError("Volume " + volume + " of '" + q.name + "' is not persistent: nothing to clear");
            }
            Path zeros = null;
            try {
                zeros = java.nio.file.Files.createTempFile(dataDir, ".clear-" + q.name + "-" + volume, ".img");
                try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(zeros.toFile(), "rw")) {
                    file.setLength(v.size()); // sparse: reads as zeros
                }
                storage.pool(model, v).importData(v, zeros);
            } catch (java.io.IOException e) {
                throw new QubesException("Cannot clear volume " + volume + " of '" + q.name + "': " + e.getMessage(), e);
            } finally {
                if (zeros != null) {
                    try {
                        java.nio.file.Files.deleteIfExists(zeros);
                    } catch (java.io.IOException ignored) {
                        // a leftover temporary file is harmless
                    }
                }
            }
        });
    }

    private QubeRecord haltedForVolumeChange(String qube, String volume, String action) {
        QubeRecord q = model.qube(qube);
        volume(q, volume);
        if (powerStateOf(q) != PowerState.HALTED) {
            throw new QubesVMNotHaltedError(q.name, "Cannot " + action + " volume " + volume + " of '" + q.name + "' while it is not halted");
        }
        return q;
    }

    @Override
    public void importVolume(String qube, String volume, Path source) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            VolumeConfig v = volume(q, volume);
            if (powerStateOf(q) != PowerState.HALTED) {
                throw new QubesVMNotHaltedError(q.name, "Cannot import into volume " + volume + " of '" + q.name + "' while it is not halted");
            }
            if (!v.saveOnStop()) {
                throw new QubesValueError("Volume " + volume + " of '" + q.name + "' is not persistent: nothing to import into");
            }
            if (!java.nio.file.Files.isRegularFile(source)) {
                throw new QubesValueError("Cannot import " + source + ": not a regular file");
            }
            long size = storage.pool(model, v).importData(v, source);
            q.volumes.put(volume, v.withSize(size));
        });
    }

    @Override
    public void cloneVolume(String sourceQube, String sourceVolume, String targetQube, String targetVolume) {
        mutateVoid(() -> {
            QubeRecord source = model.qube(sourceQube);
            VolumeConfig from = volume(source, sourceVolume);
            if (!from.saveOnStop()) {
                throw new QubesValueError("Volume " + sourceVolume + " of '" + source.name + "' is not persistent: nothing to clone");
            }
            Path image = storage.pool(model, from).path(from).map(Path::of)
                    .orElseThrow(() -> new QubesValueError("Volume " + sourceVolume + " of '" + source.name + "' has no image to clone"));
            QubeRecord target = model.qube(targetQube);
            VolumeConfig to = volume(target, targetVolume);
            if (powerStateOf(target) != PowerState.HALTED) {
                throw new QubesVMNotHaltedError(target.name, "Cannot clone into volume " + targetVolume + " of '" + target.name
                        + "' while it is not halted");
            }
            if (!to.saveOnStop()) {
                throw new QubesValueError("Volume " + targetVolume + " of '" + target.name + "' is not persistent: nothing to clone into");
            }
            long size = storage.pool(model, to).importData(to, image);
            target.volumes.put(targetVolume, to.withSize(size));
        });
    }

    @Override
    public void resizeVolume(String qube, String volume, long size) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            VolumeConfig v = volume(q, volume);
            if (size < v.size()) {
                throw new QubesValueError("For your own safety, shrinking of volume " + volume + " of '" + q.name
                        + "' is disabled (" + v.size() + " -> " + size + " bytes)");
            }
            storage.pool(model, v).resize(v, size);
            q.volumes.put(volume, v.withSize(size));
        });
    }

    @Override
    public List<String> pools() {
        return read(() -> new ArrayList<>(state.pools.keySet()));
    }

    @Override
    public Map<String, Set<String>> poolDrivers() {
        return storage.drivers();
    }

    @Override
    public Map<String, String> poolInfo(String pool) {
        return read(() -> {
            PoolConfig cfg = state.pools.get(pool);
            if (cfg == null) {
                throw new io.bulkhead.core.domains.QubesPoolNotFoundError("No such storage pool: '" + pool + "'");
            }
            Map<String, String> info = new TreeMap<>(cfg.params());
            info.put("name", cfg.name());
            info.put("driver", cfg.driver());
            return info;
        });
    }

    @Override
    public void addPool(String name, String driver, Map<String, String> parameters) {
        mutateVoid(() -> {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new QubesValueError("Invalid pool name '" + name + "': allowed characters are A-Z a-z 0-9 _ . -");
            }
            if (state.pools.containsKey(name)) {
                throw new QubesValueError("Storage pool '" + name + "' already exists");
            }
            if (!storage.drivers().containsKey(driver)) {
                throw new QubesValueError("Unknown storage pool driver '" + driver + "' (available: "
                        + String.join(", ", storage.drivers().keySet()) + ")");
            }
            Map<String, String> params = new TreeMap<>(parameters);
            params.forEach((k, v) -> Model.checkPrintable(k, "pool '" + name + "'", k + v));
            state.pools.put(name, new PoolConfig(name, driver, params));
            storage.pool(model, name); // let the driver validate the parameters now
        });
    }

    @Override
    public void setPoolParameter(String name, String parameter, String value) {
        mutateVoid(() -> {
            PoolConfig cfg = state.pools.get(name);
            if (cfg == null) {
                throw new io.bulkhead.core.domains.QubesPoolNotFoundError("No such storage pool: '" + name + "'");
            }
            if (!List.of("revisions_to_keep", "ephemeral_volatile").contains(parameter)) {
                throw new QubesValueError("Pool parameter '" + parameter + "' cannot be changed (only revisions_to_keep and ephemeral_volatile)");
            }
            if (parameter.equals("revisions_to_keep") && !value.matches("-1|0|[1-9][0-9]{0,8}")) {
                throw new QubesValueError("revisions_to_keep must be an integer >= -1, got '" + value + "'");
            }
            if (parameter.equals("ephemeral_volatile") && !value.equals("True") && !value.equals("False")) {
                throw new QubesValueError("ephemeral_volatile must be True or False, got '" + value + "'");
            }
            Map<String, String> params = new TreeMap<>(cfg.params());
            params.put(parameter, value);
            state.pools.put(name, new PoolConfig(name, cfg.driver(), params));
            storage.pool(model, name); // the driver validates the new configuration; a refusal rolls back
        });
    }

    @Override
    public void removePool(String name) {
        mutateVoid(() -> {
            if (!state.pools.containsKey(name)) {
                throw new io.bulkhead.core.domains.QubesPoolNotFoundError("No such storage pool: '" + name + "'");
            }
            List<String> users = new ArrayList<>();
            for (String g : List.of("default_pool", "default_pool_root", "default_pool_private", "default_pool_volatile",
                    "default_pool_kernel")) {
                if (name.equals(model.globalValue(g))) {
                    users.add("global property " + g);
                }
            }
            for (QubeRecord q : state.qubes()) {
                for (VolumeConfig v : q.volumes.values()) {
                    if (v.pool().equals(name)) {
                        users.add("volume " + v.name() + " of '" + q.name + "'");
                    }
                }
            }
            if (!users.isEmpty()) {
                throw new io.bulkhead.core.domains.QubesPoolInUseError("Storage pool '" + name + "' is in use by: "
                        + String.join("; ", users));
            }
            state.pools.remove(name);
        });
    }

    // ---- devices -------------------------------------------------------------------------------

    @Override
    public List<DeviceAssignment> deviceAssignments(String qube, String deviceClass) {
        return read(() -> model.qube(qube).devices.stream().filter(a -> a.deviceClass().equals(deviceClass)).toList());
    }

    @Override
    public void assignDevice(String qube, DeviceAssignment assignment) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            QubeRecord backend = model.qube(assignment.backendDomain());
            if (backend == q) {
                throw new QubesValueError("Cannot assign a device of '" + q.name + "' to itself");
            }
            for (DeviceAssignment a : q.devices) {
                if (a.deviceClass().equals(assignment.deviceClass()) && a.backendDomain().equals(assignment.backendDomain())
                        && a.port().equals(assignment.port())) {
                    throw new DeviceAlreadyAssigned("Device " + assignment.backendDomain() + ":" + assignment.port()
                            + " of class " + assignment.deviceClass() + " is already assigned to '" + q.name + "'");
                }
            }
            Model.checkPrintable("device options", "'" + q.name + "'", String.join("", assignment.options().keySet())
                    + String.join("", assignment.options().values()));
            q.devices.add(assignment);
        });
    }

    @Override
    public void unassignDevice(String qube, String deviceClass, String backendDomain, String port) {
        mutateVoid(() -> {
            QubeRecord q = model.qube(qube);
            boolean removed = q.devices.removeIf(a -> a.deviceClass().equals(deviceClass)
                    && a.backendDomain().equals(backendDomain) && a.port().equals(port));
            if (!removed) {
                throw new DeviceNotAssigned("Device " + backendDomain + ":" + port + " of class " + deviceClass
                        + " is not assigned to '" + q.name + "'");
            }
        });
    }

    // ---- environment for property defaults -----------------------------------------------------

    private final class Env implements ModelEnv {
        @Override
        public PowerState powerState(String qube) {
            return qube.equals("dom0") ? PowerState.RUNNING : runtime.get(qube);
        }

        @Override
        public boolean memoryBalancingPossible() {
            return hypervisors.current().map(h -> {
                try {
                    return h.capabilities().supports(io.bulkhead.core.domains.hal.Capability.MEMORY_BALLOONING);
                } catch (RuntimeException e) {
                    return false;
                }
            }).orElse(false);
        }

        @Override
        public long hostMemoryMiB() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                    if (line.startsWith("MemTotal:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not Linux: fall through
            }
            return 4096;
        }

        @Override
        public int hostCpus() {
            return Runtime.getRuntime().availableProcessors();
        }

        @Override
        public Path kernelsDir() {
            PoolConfig kernels = state == null ? null : state.pools.get("linux-kernel");
            if (kernels != null && kernels.params().get("dir_path") != null) {
                return Path.of(kernels.params().get("dir_path"));
            }
            return dataDir.resolve("vm-kernels");
        }

        @Override
        public String startTime(String qube) {
            return runtime.startTime(qube);
        }

        @Override
        public boolean poolExists(String pool) {
            return state.pools.containsKey(pool);
        }
    }
}
