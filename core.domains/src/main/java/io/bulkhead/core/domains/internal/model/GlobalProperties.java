package io.bulkhead.core.domains.internal.model;

import static io.bulkhead.core.domains.PropertyType.BOOL;
import static io.bulkhead.core.domains.PropertyType.INT;
import static io.bulkhead.core.domains.PropertyType.STR;
import static io.bulkhead.core.domains.PropertyType.VM;

import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubesPropertyValueError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Global properties of the app (reference §2). */
public final class GlobalProperties extends PropertyCatalogue {

    /** Global properties holding a qube reference (removal is refused while they point to it). */
    public static final List<String> VM_REFERENCES = List.of("default_netvm", "default_template", "default_dispvm",
            "clockvm", "updatevm", "management_dispvm", "default_guivm", "default_audiovm");

    public GlobalProperties() {
        super(build());
    }

    private static List<PropertyDef> build() {
        List<PropertyDef> l = new ArrayList<>();
        l.add(PropertyDef.of("default_template", VM, "Default template for new AppVMs").allowNone()
                .check(GlobalProperties::checkTemplate).build());
        l.add(PropertyDef.of("default_netvm", VM, "Default netvm for qubes; None means no network by default").allowNone()
                .constant("").check(GlobalProperties::checkDefaultNetvm).build());
        l.add(PropertyDef.of("default_dispvm", VM, "Default disposable template for new qubes").allowNone()
                .constant("").check(Model::checkDispvmTemplate).build());
        l.add(PropertyDef.of("management_dispvm", VM, "Default disposable template for management of qubes").allowNone()
                .constant("").check(Model::checkDispvmTemplate).build());
        l.add(PropertyDef.of("default_guivm", VM, "Default GuiVM for qubes").allowNone().constant("dom0").build());
        l.add(PropertyDef.of("default_audiovm", VM, "Default AudioVM for qubes").allowNone().constant("dom0").build());
        l.add(PropertyDef.of("updatevm", VM, "Which qube to use as the update proxy for dom0").allowNone().constant("").build());
        l.add(PropertyDef.of("clockvm", VM, "Which qube to use as the NTP proxy for dom0").allowNone().constant("").build());
        l.add(PropertyDef.of("default_kernel", STR, "Which kernel to use when not overriden in a qube")
                .constant("").check((m, q, v) -> Model.checkKernel(m, null, v)).build());
        l.add(PropertyDef.of("default_pool", STR, "Default storage pool")
                .defaultValue((m, q) -> Optional.of(m.defaultPool())).check(GlobalProperties::checkPool).build());
        for (String v : List.of("root", "private", "volatile")) {
            l.add(PropertyDef.of("default_pool_" + v, STR, "Default storage pool for " + v + " volumes")
                    .defaultValue((m, q) -> Optional.of(m.globalValue("default_pool"))).check(GlobalProperties::checkPool).build());
        }
        l.add(PropertyDef.of("default_pool_kernel", STR, "Default storage pool for kernel volumes")
                .defaultValue((m, q) -> Optional.of(m.globalValue("default_pool"))).check(GlobalProperties::checkPool).build());
        l.add(PropertyDef.of("default_qrexec_timeout", INT, "Default time in seconds after which qrexec connection attempt is deemed failed")
                .constant("60").check(Model::positive).build());
        l.add(PropertyDef.of("default_shutdown_timeout", INT, "Default time in seconds for qube shutdown to complete")
                .constant("60").check(Model::positive).build());
        l.add(PropertyDef.of("stats_interval", INT, "Interval in seconds for qube stats reporting").constant("3")
                .check(Model::positive).build());
        l.add(PropertyDef.of("check_updates_vm", BOOL, "Check for updates inside qubes").constant("True").build());
        l.add(PropertyDef.of("maxmem", INT, "Maximum memory of the host (MiB)").readOnly()
                .defaultValue((m, q) -> Optional.of(Long.toString(m.env().hostMemoryMiB()))).build());
        l.add(PropertyDef.of("no_cpus", INT, "Number of CPUs of the host").readOnly()
                .defaultValue((m, q) -> Optional.of(Integer.toString(m.env().hostCpus()))).build());
        return l;
    }

    private static void checkTemplate(Model m, QubeRecord ignored, String value) {
        if (value.isEmpty()) {
            return;
        }
        QubeRecord t = m.state().byName(value).orElseThrow();
        if (t.klass != QubeClass.TEMPLATE_VM) {
            throw new QubesPropertyValueError("default_template must be a TemplateVM, but '" + value + "' is a " + t.klass.qubesName());
        }
    }

    private static void checkDefaultNetvm(Model m, QubeRecord ignored, String value) {
        if (value.isEmpty()) {
            return;
        }
        QubeRecord netvm = m.state().byName(value).orElseThrow();
        for (QubeRecord q : m.state().qubes()) {
            if (q.isAdmin() || q.klass == QubeClass.TEMPLATE_VM || q.stored("netvm") != null) {
                continue; // only qubes that follow the default are affected
            }
            try {
                m.checkNetvmCandidate(q, netvm);
            } catch (QubesPropertyValueError e) {
                throw new QubesPropertyValueError("Cannot set default_netvm to '" + value + "': " + e.getMessage()
                        + " (for qube '" + q.name + "', which uses the default netvm)");
            }
        }
    }

    private static void checkPool(Model m, QubeRecord ignored, String value) {
        if (!value.isEmpty() && !m.env().poolExists(value)) {
            throw new QubesPropertyValueError("No such storage pool: '" + value + "'");
        }
    }
}
