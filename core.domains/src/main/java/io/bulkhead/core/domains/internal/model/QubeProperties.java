package io.bulkhead.core.domains.internal.model;

import static io.bulkhead.core.domains.PropertyType.BOOL;
import static io.bulkhead.core.domains.PropertyType.INT;
import static io.bulkhead.core.domains.PropertyType.LABEL;
import static io.bulkhead.core.domains.PropertyType.STR;
import static io.bulkhead.core.domains.PropertyType.VM;
import static io.bulkhead.core.domains.QubeClass.ADMIN_VM;
import static io.bulkhead.core.domains.QubeClass.APP_VM;
import static io.bulkhead.core.domains.QubeClass.DISP_VM;
import static io.bulkhead.core.domains.QubeClass.STANDALONE_VM;
import static io.bulkhead.core.domains.QubeClass.TEMPLATE_VM;

import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubesPropertyValueError;
import io.bulkhead.core.domains.QubesVMInUseError;
import io.bulkhead.core.domains.QubesVMNotHaltedError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The per-qube property catalogue (reference §1.4, §1.5) with defaults computed on read. */
public final class QubeProperties extends PropertyCatalogue {

    /** Properties holding a qube reference that removal checks look at. */
    public static final List<String> VM_REFERENCES =
            List.of("template", "netvm", "default_dispvm", "management_dispvm", "guivm", "audiovm");

    public QubeProperties() {
        super(build());
    }

    private static List<PropertyDef> build() {
        List<PropertyDef> l = new ArrayList<>();
        l.add(PropertyDef.of("name", STR, "User-assigned name of the qube").writeOnce().build());
        l.add(PropertyDef.of("qid", INT, "Internal, persistent identificator of particular domain. Note this is different from Xen domid.").writeOnce().build());
        l.add(PropertyDef.of("uuid", STR, "UUID from libvirt / the hypervisor").writeOnce().build());
        l.add(PropertyDef.of("klass", STR, "Class of the qube").readOnly()
                .defaultValue((m, q) -> Optional.of(q.klass.qubesName())).build());
        l.add(PropertyDef.of("label", LABEL, "Colourful label assigned to the qube").build());
        l.add(PropertyDef.of("icon", STR, "Name of the qube's icon").readOnly()
                .defaultValue((m, q) -> Optional.of(icon(m, q))).build());

        l.add(PropertyDef.of("template", VM, "Template on which this qube is based").classes(APP_VM, DISP_VM)
                .check(QubeProperties::checkTemplate).build());
        l.add(PropertyDef.of("template_for_dispvms", BOOL, "Should this qube be allowed to start as Disposable VM")
                .classes(APP_VM, STANDALONE_VM).constant("False").check(QubeProperties::checkTemplateForDispvms).build());
        l.add(PropertyDef.of("dispid", INT, "Internal, persistent identifier of particular DispVM").classes(DISP_VM)
                .writeOnce().build());
        l.add(PropertyDef.of("auto_cleanup", BOOL, "Automatically remove this qube upon shutdown").classes(DISP_VM)
                .constant("False").build());

        l.add(PropertyDef.of("netvm", VM, "Qube that provides network connection to this qube. None means no network.")
                .notAdmin().allowNone().defaultValue(QubeProperties::defaultNetvm).check(QubeProperties::checkNetvm).build());
        l.add(PropertyDef.of("provides_network", BOOL, "If this qube can act as a gateway for other qubes").notAdmin()
                .constant("False").check(QubeProperties::checkProvidesNetwork).build());
        l.add(PropertyDef.of("memory", INT, "Memory currently available for this qube (MiB)").notAdmin()
                .defaultValue((m, q) -> fromTemplate(m, q, "memory", "400")).check(Model::positive).build());
        l.add(PropertyDef.of("maxmem", INT, "Maximum amount of memory available for this qube (for the purpose of the memory balancer). Set to 0 to disable memory balancing for this qube.")
                .notAdmin().defaultValue(QubeProperties::defaultMaxmem).check(Model::nonNegative).build());
        l.add(PropertyDef.of("vcpus", INT, "Number of virtual CPUs for a qube").notAdmin()
                .defaultValue((m, q) -> fromTemplate(m, q, "vcpus", "2")).check(Model::positive).build());
        l.add(PropertyDef.of("virt_mode", STR, "Virtualisation mode: full virtualisation (\"hvm\"), with PV drivers (\"pvh\"), or paravirtualisation (\"pv\")")
                .notAdmin().defaultValue((m, q) -> m.hasPciDevices(q) ? Optional.of("hvm") : fromTemplate(m, q, "virt_mode", "pvh"))
                .check(QubeProperties::checkVirtMode).build());
        l.add(PropertyDef.of("kernel", STR, "Kernel used by this qube; empty means the qube boots its own kernel").notAdmin()
                .defaultValue((m, q) -> fromTemplateOrGlobal(m, q, "kernel", "default_kernel")).check(Model::checkKernel).build());
        l.add(PropertyDef.of("kernelopts", STR, "Kernel command line passed to the domain").notAdmin()
                .defaultValue(QubeProperties::defaultKernelopts).check(QubeProperties::checkKernelopts).build());
        l.add(PropertyDef.of("default_user", STR, "Default user to start applications as").notAdmin()
                .defaultValue((m, q) -> fromTemplate(m, q, "default_user", "user")).check(QubeProperties::checkDefaultUser).build());
        l.add(PropertyDef.of("qrexec_timeout", INT, "Time in seconds after which qrexec connection attempt is deemed failed. Operating system inside qube should be able to boot in this time.")
                .notAdmin().defaultValue((m, q) -> fromTemplateOrGlobal(m, q, "qrexec_timeout", "default_qrexec_timeout"))
                .check(Model::positive).build());
        l.add(PropertyDef.of("shutdown_timeout", INT, "Time in seconds for shutdown of the qube, after which it is forcefully killed")
                .notAdmin().defaultValue((m, q) -> fromTemplateOrGlobal(m, q, "shutdown_timeout", "default_shutdown_timeout"))
                .check(Model::positive).build());
        l.add(PropertyDef.of("autostart", BOOL, "Setting this to True means that the qube should be autostarted on dom0 boot.")
                .notAdmin().constant("False").build());
        l.add(PropertyDef.of("include_in_backups", BOOL, "If this qube is to be included in default backup.")
                .defaultValue((m, q) -> Optional.of(q.klass == DISP_VM ? Model.bool(!m.boolValue(q, "auto_cleanup")) : "True"))
                .build());
        l.add(PropertyDef.of("debug", BOOL, "Turns on debugging features.").notAdmin().constant("False").build());
        l.add(PropertyDef.of("installed_by_rpm", BOOL, "If this qube was installed from a package (removal is refused)")
                .notAdmin().constant("False").build());
        l.add(PropertyDef.of("default_dispvm", VM, "Default disposable template for service calls from this qube (@dispvm)")
                .allowNone().defaultValue(QubeProperties::defaultDispvm).check(Model::checkDispvmTemplate).build());
        l.add(PropertyDef.of("management_dispvm", VM, "Default disposable template used for management of this qube")
                .notAdmin().allowNone()
                .defaultValue((m, q) -> fromTemplateOrGlobal(m, q, "management_dispvm", "management_dispvm"))
                .check(Model::checkDispvmTemplate).build());
        l.add(PropertyDef.of("guivm", VM, "Qube which provides the GUI for this qube").notAdmin().allowNone()
                .defaultValue((m, q) -> Optional.of(m.globalValue("default_guivm"))).build());
        l.add(PropertyDef.of("audiovm", VM, "Qube which provides the audio for this qube").notAdmin().allowNone()
                .defaultValue((m, q) -> Optional.of(m.globalValue("default_audiovm"))).build());
        l.add(PropertyDef.of("keyboard_layout", STR, "Keyboard layout for this qube (layout+variant+options)")
                .defaultValue(QubeProperties::defaultKeyboardLayout).check(QubeProperties::checkKeyboardLayout).build());
        l.add(PropertyDef.of("mac", STR, "MAC address of the NIC emulated inside the qube").notAdmin()
                .constant(Network.DEFAULT_MAC).check(QubeProperties::checkMac).build());
        l.add(PropertyDef.of("ip", STR, "IP address of this qube").notAdmin()
                .defaultValue(QubeProperties::defaultIp).check(QubeProperties::checkIpv4).build());
        l.add(PropertyDef.of("ip6", STR, "IPv6 address of this qube (when feature ipv6 is set on it or its netvm chain)")
                .notAdmin().defaultValue(QubeProperties::defaultIp6).check(QubeProperties::checkIpv6).build());
        l.add(PropertyDef.of("gateway", STR, "Gateway for other qubes that use this qube as netvm").notAdmin().readOnly()
                .defaultValue((m, q) -> Optional.of(m.boolValue(q, "provides_network") ? m.value(q, "visible_ip") : "")).build());
        l.add(PropertyDef.of("visible_ip", STR, "IP address of this qube as seen by the domain").notAdmin().readOnly()
                .defaultValue((m, q) -> Optional.of(m.featureWithTemplate(q, "net.fake-ip").orElse(m.value(q, "ip")))).build());
        l.add(PropertyDef.of("visible_gateway", STR, "Default gateway of this qube as seen by the domain").notAdmin().readOnly()
                .defaultValue((m, q) -> Optional.of(m.featureWithTemplate(q, "net.fake-gateway")
                        .orElse(m.vmValue(q, "netvm").map(n -> m.value(n, "gateway")).orElse("")))).build());
        l.add(PropertyDef.of("visible_netmask", STR, "Netmask as seen by the domain").notAdmin().readOnly()
                .defaultValue((m, q) -> Optional.of(m.featureWithTemplate(q, "net.fake-netmask")
                        .orElse(m.vmValue(q, "netvm").isPresent() ? Network.NETMASK : ""))).build());
        l.add(PropertyDef.of("dns", STR, "DNS servers set up for this qube (space separated)").notAdmin().readOnly()
                .defaultValue((m, q) -> Optional.of(m.isNetworked(q) ? Network.DNS1 + " " + Network.DNS2 : "")).build());
        l.add(PropertyDef.of("updateable", BOOL, "True if this qube has a persistent root volume").readOnly()
                .defaultValue((m, q) -> Optional.of(Model.bool(!q.klass.isTemplateBased()))).build());
        l.add(PropertyDef.of("devices_denied", STR, "Interface codes of devices denied to this qube (7 characters each)")
                .constant("").check(QubeProperties::checkDevicesDenied).build());
        l.add(PropertyDef.of("backup_timestamp", INT, "Time of last backup of the qube, in seconds since unix epoch")
                .allowNone().constant("").build());
        l.add(PropertyDef.of("start_time", STR, "Tells when the qube was started (seconds since unix epoch)").readOnly()
                .defaultValue((m, q) -> Optional.of(m.startTime(q))).build());
        return l;
    }

    // ---- defaults ----------------------------------------------------------------------------

    static Optional<String> fromTemplate(Model m, QubeRecord q, String prop, String constant) {
        Optional<QubeRecord> template = m.template(q);
        return Optional.of(template.map(t -> m.value(t, prop)).orElse(constant));
    }

    static Optional<String> fromTemplateOrGlobal(Model m, QubeRecord q, String prop, String global) {
        Optional<QubeRecord> template = m.template(q);
        return Optional.of(template.map(t -> m.value(t, prop)).orElseGet(() -> m.globalValue(global)));
    }

    private static String icon(Model m, QubeRecord q) {
        String label = m.value(q, "label");
        if (q.klass == ADMIN_VM) {
            return "adminvm-" + label;
        }
        if (m.boolValue(q, "provides_network")) {
            return "servicevm-" + label;
        }
        if (q.klass == APP_VM && m.boolValue(q, "template_for_dispvms")) {
            return "templatevm-" + label;
        }
        return q.klass.qubesName().toLowerCase(Locale.ROOT) + "-" + label;
    }

    private static Optional<String> defaultNetvm(Model m, QubeRecord q) {
        if (q.klass == TEMPLATE_VM) {
            return Optional.of("");
        }
        return Optional.of(m.globalValue("default_netvm"));
    }

    private static Optional<String> defaultDispvm(Model m, QubeRecord q) {
        if (q.klass == DISP_VM) {
            return Optional.of(q.stored("template") == null ? "" : q.stored("template"));
        }
        return Optional.of(m.globalValue("default_dispvm"));
    }

    private static Optional<String> defaultMaxmem(Model m, QubeRecord q) {
        if (!m.env().memoryBalancingPossible() || m.hasPciDevices(q)) {
            return Optional.of("0");
        }
        long value;
        Optional<QubeRecord> template = m.template(q);
        if (template.isPresent()) {
            value = m.intValue(template.get(), "maxmem");
        } else if ("Linux".equals(q.features.get("os"))) {
            value = (long) m.intValue(q, "memory") * 10;
        } else {
            value = 4000;
        }
        long cap = m.env().hostMemoryMiB() / 2;
        return Optional.of(Long.toString(Math.min(value, cap)));
    }

    private static Optional<String> defaultKernelopts(Model m, QubeRecord q) {
        String kernel = m.value(q, "kernel");
        if (m.hasPciDevices(q)) {
            return Optional.of(m.readKernelFile(kernel, "default-kernelopts-pci.txt").orElse(""));
        }
        Optional<QubeRecord> template = m.template(q);
        if (template.isPresent()) {
            return Optional.of(m.value(template.get(), "kernelopts"));
        }
        return Optional.of(m.readKernelFile(kernel, "default-kernelopts-nopci.txt").orElse("swiotlb=2048"));
    }

    private static Optional<String> defaultKeyboardLayout(Model m, QubeRecord q) {
        if (q.klass != ADMIN_VM) {
            Optional<QubeRecord> guivm = m.vmValue(q, "guivm");
            if (guivm.isPresent() && guivm.get() != q && guivm.get().stored("keyboard_layout") != null) {
                return Optional.of(guivm.get().stored("keyboard_layout"));
            }
        }
        return Optional.of("us++");
    }

    private static Optional<String> defaultIp(Model m, QubeRecord q) {
        if (!m.isNetworked(q)) {
            return Optional.of("");
        }
        if (q.klass == DISP_VM && q.stored("dispid") != null) {
            return Optional.of(Network.vmidToIpv4(Network.DISP_PREFIX, Integer.parseInt(q.stored("dispid"))));
        }
        return Optional.of(Network.vmidToIpv4(Network.QUBE_PREFIX, q.qid));
    }

    private static Optional<String> defaultIp6(Model m, QubeRecord q) {
        if (!m.isNetworked(q) || m.featureWithNetvm(q, "ipv6").filter(v -> !v.isEmpty()).isEmpty()) {
            return Optional.of("");
        }
        if (q.klass == DISP_VM && q.stored("dispid") != null) {
            return Optional.of(Network.vmidToIpv6(true, Integer.parseInt(q.stored("dispid"))));
        }
        return Optional.of(Network.vmidToIpv6(false, q.qid));
    }

    // ---- checks ------------------------------------------------------------------------------

    private static void checkTemplate(Model m, QubeRecord q, String value) {
        QubeRecord t = m.state().byName(value).orElseThrow();
        if (q.klass == APP_VM && t.klass != TEMPLATE_VM) {
            throw new QubesPropertyValueError("Template of qube '" + q.name + "' must be a TemplateVM, but '"
                    + value + "' is a " + t.klass.qubesName());
        }
        if (q.klass == DISP_VM) {
            if ((t.klass != APP_VM && t.klass != STANDALONE_VM) || !m.boolValue(t, "template_for_dispvms")) {
                throw new QubesPropertyValueError("Template of disposable '" + q.name + "' must be a qube with "
                        + "template_for_dispvms=True, but '" + value + "' is not");
            }
        }
        if (m.env().powerState(q.name) != PowerState.HALTED) {
            throw new QubesVMNotHaltedError(q.name, "Cannot change template of qube '" + q.name + "' while it is not halted");
        }
    }

    private static void checkTemplateForDispvms(Model m, QubeRecord q, String value) {
        if ("True".equals(value)) {
            return;
        }
        List<String> users = new ArrayList<>();
        for (String g : List.of("default_dispvm", "management_dispvm")) {
            if (q.name.equals(m.globalValue(g))) {
                users.add("global property " + g);
            }
        }
        for (QubeRecord other : m.state().qubes()) {
            if (other == q) {
                continue;
            }
            for (String p : List.of("default_dispvm", "management_dispvm")) {
                if (m.has(other, p) && q.name.equals(m.value(other, p))) {
                    users.add("qube '" + other.name + "' (" + p + ")");
                }
            }
            if (other.klass == DISP_VM && q.name.equals(other.stored("template"))) {
                users.add("disposable '" + other.name + "' (template)");
            }
        }
        if (!users.isEmpty()) {
            throw new QubesVMInUseError(q.name, "Cannot set template_for_dispvms=False on '" + q.name
                    + "': still used as disposable template by " + String.join(", ", users));
        }
    }

    private static void checkNetvm(Model m, QubeRecord q, String value) {
        if (value.isEmpty()) {
            return;
        }
        QubeRecord netvm = m.state().byName(value).orElseThrow();
        m.checkNetvmCandidate(q, netvm);
        if (m.env().powerState(q.name).isActive() && !m.env().powerState(netvm.name).isActive()) {
            throw new QubesPropertyValueError("Cannot dynamically attach '" + q.name + "' to stopped qube '" + value + "'");
        }
    }

    private static void checkProvidesNetwork(Model m, QubeRecord q, String value) {
        if ("True".equals(value)) {
            return;
        }
        List<String> clients = m.netvmClients(q, false);
        if (!clients.isEmpty()) {
            throw new QubesVMInUseError(q.name, "Cannot set provides_network=False on '" + q.name
                    + "': it is the netvm of " + String.join(", ", clients));
        }
    }

    private static void checkVirtMode(Model m, QubeRecord q, String value) {
        if (!List.of("hvm", "pv", "pvh").contains(value)) {
            throw new QubesPropertyValueError("Invalid virt_mode '" + value + "' for '" + q.name + "': must be hvm, pv or pvh");
        }
        if (value.equals("pvh") && m.hasPciDevices(q)) {
            throw new QubesPropertyValueError("pvh mode can't be set if pci devices are attached to '" + q.name + "'");
        }
    }

    private static void checkKernelopts(Model m, QubeRecord q, String value) {
        if (value.length() > 512) {
            throw new QubesPropertyValueError("kernelopts of '" + q.name + "' is too long: " + value.length() + " > 512 characters");
        }
    }

    private static void checkDefaultUser(Model m, QubeRecord q, String value) {
        if (!value.matches("[A-Za-z0-9_+,.-]+")) {
            throw new QubesPropertyValueError("Invalid default_user '" + value + "' for '" + q.name
                    + "': allowed characters are A-Z a-z 0-9 _ + , . -");
        }
    }

    private static void checkKeyboardLayout(Model m, QubeRecord q, String value) {
        String[] parts = value.split("\\+", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !value.matches("[A-Za-z0-9_,:+()-]+")) {
            throw new QubesPropertyValueError("Invalid keyboard_layout '" + value + "' for '" + q.name
                    + "': expected layout+variant+options, e.g. us++ or de+nodeadkeys+");
        }
    }

    private static void checkMac(Model m, QubeRecord q, String value) {
        if (!value.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
            throw new QubesPropertyValueError("Invalid MAC address '" + value + "' for '" + q.name + "': expected xx:xx:xx:xx:xx:xx");
        }
    }

    private static void checkIpv4(Model m, QubeRecord q, String value) {
        if (!Network.isIpv4(value)) {
            throw new QubesPropertyValueError("Invalid IPv4 address '" + value + "' for '" + q.name + "'");
        }
    }

    private static void checkIpv6(Model m, QubeRecord q, String value) {
        if (!Network.isIpv6(value)) {
            throw new QubesPropertyValueError("Invalid IPv6 address '" + value + "' for '" + q.name + "'");
        }
    }

    private static void checkDevicesDenied(Model m, QubeRecord q, String value) {
        if (value.length() % 7 != 0 || !value.matches("[a-zA-Z0-9*?]*")) {
            throw new QubesPropertyValueError("Invalid devices_denied '" + value + "' for '" + q.name
                    + "': expected concatenated 7-character interface codes");
        }
    }
}
