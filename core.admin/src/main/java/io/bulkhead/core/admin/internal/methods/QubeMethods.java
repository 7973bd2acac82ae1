package io.bulkhead.core.admin.internal.methods;

import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ADMIN_VM;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ANY;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.QUBE;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.NONE;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.OPTIONAL;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.REQUIRED;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubesNotImplementedError;
import io.bulkhead.core.domains.QubesPoolNotFoundError;

/** Qube life cycle: classes, listing, create, remove and power control. */
public final class QubeMethods {
    private final DomainsService domains;
    private final BiPredicate<AdminRequest, String> visibleToCaller;

    /**
     * @param domains         the model
     * @param visibleToCaller whether the caller of a listing request may see a qube (permission hooks)
     */
    public QubeMethods(DomainsService domains, BiPredicate<AdminRequest, String> visibleToCaller) {
        this.domains = domains;
        this.visibleToCaller = visibleToCaller;
    }

    public void register(MethodTable table) {
        table.add("admin.vmclass.List", NONE, NONE, ADMIN_VM, r -> PropertyMethods.lines(domains.qubeClasses()));
        table.add("admin.vm.List", NONE, NONE, ANY, this::list);
        for (String klass : domains.qubeClasses()) {
            table.add("admin.vm.Create." + klass, OPTIONAL, REQUIRED, ADMIN_VM, r -> create(klass, r, false));
            table.add("admin.vm.CreateInPool." + klass, OPTIONAL, REQUIRED, ADMIN_VM, r -> create(klass, r, true));
        }
        table.add("admin.vm.Remove", NONE, NONE, QUBE, r -> {
            domains.remove(r.destination());
            return "";
        });
        table.add("admin.vm.Start", NONE, NONE, ANY, r -> {
            domains.start(r.destination());
            return "";
        });
        table.add("admin.vm.Shutdown", OPTIONAL, NONE, ANY, this::shutdown);
        table.add("admin.vm.Pause", NONE, NONE, ANY, r -> {
            domains.pause(r.destination());
            return "";
        });
        table.add("admin.vm.Unpause", NONE, NONE, ANY, r -> {
            domains.unpause(r.destination());
            return "";
        });
        table.add("admin.vm.Kill", NONE, NONE, ANY, r -> {
            domains.kill(r.destination());
            return "";
        });
        table.add("admin.vm.CurrentState", NONE, NONE, ANY,
                r -> "power_state=" + domains.powerState(r.destination()).qubesName());
    }

    /** {@code NAME class=CLS state=STATE uuid=UUID} per qube; dom0 as destination lists every visible qube. */
    private String list(AdminRequest request) {
        List<QubeInfo> qubes = request.toAdminVm() ? domains.list() : List.of(domains.get(request.destination()));
        StringBuilder out = new StringBuilder();
        for (QubeInfo qube : qubes) {
            if (!visibleToCaller.test(request, qube.name())) {
                continue;
            }
            out.append(qube.name()).append(" class=").append(qube.klass().qubesName())
                    .append(" state=").append(qube.powerState().qubesName())
                    .append(" uuid=").append(qube.uuid()).append('\n');
        }
        return out.toString();
    }

    /** Payload {@code name=N label=L} (+ {@code pool=P} / {@code pool:VOLUME=P} in pool); argument: template. */
    private String create(String klass, AdminRequest request, boolean inPool) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String item : request.payloadText().split(" ")) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolError("invalid create parameter '" + item + "': expected key=value");
            }
            String key = item.substring(0, eq);
            boolean known = key.equals("name") || key.equals("label")
                    || (inPool && (key.equals("pool") || key.startsWith("pool:")));
            if (!known) {
                throw new ProtocolError("invalid create parameter '" + key + "'");
            }
            if (fields.put(key, item.substring(eq + 1)) != null) {
                throw new ProtocolError("create parameter '" + key + "' given twice");
            }
        }
        if (!fields.containsKey("name") || !fields.containsKey("label")) {
            throw new ProtocolError("Missing name or label");
        }
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (field.getKey().startsWith("pool")) {
                checkPool(field.getValue());
            }
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (!request.argument().isEmpty()) {
            properties.put("template", request.argument());
        }
        QubeClass qubeClass = QubeClass.fromQubesName(klass).orElseThrow();
        String name = fields.get("name");
        domains.create(qubeClass, name, fields.get("label"), properties);
        domains.addTag(name, "created-by-" + request.source());
        return "";
    }

    private void checkPool(String pool) {
        List<String> pools = domains.pools();
        if (!pools.contains(pool)) {
            throw new QubesPoolNotFoundError("no such pool: " + pool);
        }
        if (!pools.get(0).equals(pool)) {
            throw new QubesNotImplementedError("creating volumes in pool '" + pool + "' is not supported yet; the default pool is '"
                    + pools.get(0) + "'");
        }
    }

    /** Argument {@code force}, {@code wait} or both joined by {@code +}. */
    private String shutdown(AdminRequest request) {
        boolean force = false;
        boolean wait = false;
        if (!request.argument().isEmpty()) {
            for (String flag : request.argument().split("\\+", -1)) {
                switch (flag) {
                    case "force" -> force = true;
                    case "wait" -> wait = true;
                    default -> throw new ProtocolError("invalid shutdown argument '" + request.argument() + "'");
                }
            }
        }
        domains.shutdown(request.destination(), force, wait, null);
        return "";
    }
}
