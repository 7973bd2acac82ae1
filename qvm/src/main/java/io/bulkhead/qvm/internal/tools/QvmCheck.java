package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import io.bulkhead.qvm.internal.PropertyValue;
import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QubeSelection;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * qvm-check: exit 0 when every given qube exists (and passes the checks), 1 when none does or a name is unknown,
 * 3 when only some pass.
 */
@Command(name = "qvm-check", description = "Exits sucessfull if the provided domain(s) exist, else returns failure",
        sortOptions = false)
public final class QvmCheck extends QvmTool {

    @Option(names = "--running", description = "Determine if (any of given) VM is running")
    boolean running;

    @Option(names = "--paused", description = "Determine if (any of given) VM is paused")
    boolean paused;

    @Option(names = "--template", description = "Determine if (any of given) VM is a template")
    boolean template;

    @Option(names = "--networked", description = "Determine if (any of given) VM can reach network")
    boolean networked;

    @Mixin
    QubeSelection qubes = new QubeSelection();

    @Override
    public Integer call() {
        qubes.requireSome();
        List<QubeEntry> domains = new ArrayList<>();
        Set<String> invalid = new LinkedHashSet<>();
        if (qubes.all()) {
            domains = domains(qubes);
        } else {
            if (!qubes.exclude().isEmpty()) {
                throw ToolError.usage("--exclude can only be used with --all");
            }
            for (String name : qubes.names()) {
                app.qube(name).ifPresentOrElse(domains::add, () -> invalid.add(name));
            }
        }
        List<String> status = new ArrayList<>();
        List<Predicate<QubeEntry>> checks = new ArrayList<>();
        if (running) {
            status.add("running");
            checks.add(QubeEntry::running);
        }
        if (paused) {
            status.add("paused");
            checks.add(QubeEntry::paused);
        }
        if (template) {
            status.add("template");
            checks.add(q -> q.klass().equals("TemplateVM"));
        }
        if (networked) {
            status.add("networked");
            checks.add(this::isNetworked);
        }
        int code = 0;
        Set<String> names = new TreeSet<>();
        domains.forEach(q -> names.add(q.name()));
        if (!checks.isEmpty()) {
            Set<String> passed = new TreeSet<>();
            for (QubeEntry qube : domains) {
                if (checks.stream().allMatch(check -> check.test(qube))) {
                    passed.add(qube.name());
                }
            }
            if (!passed.equals(names)) {
                code = passed.isEmpty() ? 1 : 3;
            }
            report(passed, status);
        } else if (domains.isEmpty()) {
            code = 1;
        } else {
            report(names, List.of("exists"));
        }
        if (!invalid.isEmpty()) {
            for (String name : invalid) {
                log(true, "qvm-check", name + ": non-existent!");
            }
            code = 1;
        }
        return code;
    }

    private void report(Set<String> names, List<String> status) {
        if (names.isEmpty()) {
            log(false, "qvm-check", "None of qubes: " + String.join(", ", status));
        }
        for (String name : names) {
            log(false, "qvm-check", name + ": " + String.join(", ", status));
        }
    }

    /** Provides network itself or has a netvm. */
    private boolean isNetworked(QubeEntry qube) {
        if (app.property(qube.name(), "provides_network").map(PropertyValue::value).orElse("").equals("True")) {
            return true;
        }
        return app.property(qube.name(), "netvm").filter(v -> !v.none()).isPresent();
    }
}
