package io.bulkhead.core.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * What a user needs to know about one installed bundle: state, why it is not running, and what
 * it contributes to dom0 (qrexec services, Admin API methods, event listeners, commands, backends).
 *
 * @param symbolicName bundle symbolic name
 * @param version      bundle version
 * @param state        lower-case state name (installed, resolved, active, ...)
 * @param problem      why it is not active, or null
 * @param contributes  human-readable contributions, one per registered service
 */
record BundleReport(String symbolicName, String version, String state, String problem, List<String> contributes) {

    static BundleReport of(Bundle b, String problem) {
        return new BundleReport(b.getSymbolicName(), b.getVersion().toString(), stateName(b.getState()), problem, contributions(b));
    }

    boolean active() {
        return "active".equals(state);
    }

    static String stateName(int state) {
        switch (state) {
            case Bundle.INSTALLED: return "installed";
            case Bundle.RESOLVED: return "resolved";
            case Bundle.STARTING: return "starting";
            case Bundle.STOPPING: return "stopping";
            case Bundle.ACTIVE: return "active";
            case Bundle.UNINSTALLED: return "uninstalled";
            default: return "unknown";
        }
    }

    private static List<String> contributions(Bundle b) {
        List<String> out = new ArrayList<>();
        ServiceReference<?>[] refs;
        try {
            refs = b.getRegisteredServices();
        } catch (IllegalStateException uninstalled) {
            return out;
        }
        if (refs == null) {
            return out;
        }
        for (ServiceReference<?> ref : refs) {
            out.add(describe(ref));
        }
        out.sort(null);
        return List.copyOf(out);
    }

    private static String describe(ServiceReference<?> ref) {
        Object qrexec = ref.getProperty("qrexec.service");
        if (qrexec != null) {
            return "qrexec service " + text(qrexec);
        }
        Object method = ref.getProperty("admin.method");
        if (method != null) {
            return "Admin API method " + text(method);
        }
        Object hypervisor = ref.getProperty("hypervisor");
        if (hypervisor != null) {
            return "hypervisor backend " + text(hypervisor);
        }
        Object scope = ref.getProperty("osgi.command.scope");
        if (scope != null) {
            Object functions = ref.getProperty("osgi.command.function");
            return "commands " + text(scope) + ":" + text(functions).replace(", ", "|");
        }
        String[] classes = (String[]) ref.getProperty(Constants.OBJECTCLASS);
        if (Arrays.asList(classes).contains("io.bulkhead.core.domains.event.QubesEventListener")) {
            Object patterns = ref.getProperty("qubes.event");
            return "event listener" + (patterns == null ? " (all events)" : " " + text(patterns));
        }
        return "service " + String.join(", ", classes);
    }

    private static String text(Object value) {
        if (value instanceof String[]) {
            return String.join(", ", (String[]) value);
        }
        if (value instanceof java.util.Collection<?>) {
            return String.join(", ", ((java.util.Collection<?>) value).stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    /** Indented lines for the CLI. */
    void appendTo(StringBuilder out) {
        out.append("  ").append(symbolicName).append(' ').append(version).append(": ").append(state).append('\n');
        if (problem != null) {
            out.append("    problem: ").append(problem).append('\n');
        }
        for (String c : contributes) {
            out.append("    provides ").append(c).append('\n');
        }
    }
}
