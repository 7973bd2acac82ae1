package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QubeSelection;
import io.bulkhead.qvm.internal.QvmTool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * qvm-shutdown: graceful shutdown ({@code admin.vm.Shutdown+[force][+wait]}); qubes still in use by others are
 * retried after the others went down, qubes that timed out are retried once and then killed. Exit code = number of
 * qubes that failed, as Qubes'.
 */
@Command(name = "qvm-shutdown", description = "Shutdown a qube", sortOptions = false)
public final class QvmShutdown extends QvmTool {

    @Option(names = "--wait", description = "wait for the VMs to shut down")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "TIMEOUT", description = "Deprecated, use --wait instead. Setting this option will enable --wait")
    String timeout;

    @Option(names = "--force", description = "shut down even if other qubes depend on this one (e.g. as NetVM or AudioVM);"
            + " does not affect how the qube itself is shut down; use with caution")
    boolean force;

    @Option(names = "--dry-run", description = "don't really shutdown or kill the domains; useful with --wait")
    boolean dryRun;

    @Mixin
    QubeSelection qubes = new QubeSelection();

    @Override
    public Integer call() {
        List<QubeEntry> domains = domains(qubes);
        if (dryRun) {
            return 0;
        }
        if (timeout != null) {
            io.err().println(prog() + ": warning: Call to deprecated --timeout option, use --wait instead");
            wait = true;
        }
        List<String> flags = new ArrayList<>();
        if (force || (qubes.all() && qubes.exclude().isEmpty())) {
            flags.add("force");
        }
        if (wait) {
            flags.add("wait");
        }
        String argument = String.join("+", flags);

        Outcome outcome = shutdown(domains, argument);
        Map<QubeEntry, QubesCallException> unhandled = outcome.unhandled;
        Map<QubeEntry, QubesCallException> timedOut = outcome.timedOut;
        Map<QubeEntry, QubesCallException> used = outcome.used;
        if (!used.isEmpty()) {
            printError("Retrying shutdown of qubes that were in use for " + used.size() + " time(s)");
        }
        // a qube in use by another one goes down once its users did: retry as many rounds as there were such qubes
        for (int round = used.size(); round > 0 && !used.isEmpty(); round--) {
            printError("Retrying shutdown of qubes that were in use: " + names(used));
            int before = used.size();
            Outcome retry = shutdown(new ArrayList<>(used.keySet()), argument);
            unhandled.putAll(retry.unhandled);
            timedOut.putAll(retry.timedOut);
            used = retry.used;
            if (used.size() == before) {
                break;
            }
        }
        if (!timedOut.isEmpty()) {
            printError("Retrying shutdown of qubes that timed out: " + names(timedOut));
            Outcome retry = shutdown(new ArrayList<>(timedOut.keySet()), argument);
            unhandled.putAll(retry.unhandled);
            used.putAll(retry.used);
            timedOut = retry.timedOut;
        }
        if (!timedOut.isEmpty()) {
            printError("Killing timed out qubes: " + names(timedOut));
            timedOut = Parallel.each(new ArrayList<>(timedOut.keySet()), q -> app.call(q.name(), "admin.vm.Kill"),
                    "QubesVMNotStartedError");
        }
        int failed = 0;
        for (Map<QubeEntry, QubesCallException> group : List.of(unhandled, used, timedOut)) {
            for (Map.Entry<QubeEntry, QubesCallException> failure : group.entrySet()) {
                printError("Failed to shut down: " + failure.getKey().name() + ": " + failure.getValue().getMessage());
                failed++;
            }
        }
        return failed;
    }

    private record Outcome(Map<QubeEntry, QubesCallException> unhandled, Map<QubeEntry, QubesCallException> used,
            Map<QubeEntry, QubesCallException> timedOut) {
    }

    /** Shuts down concurrently; a qube that is not running is not a failure. */
    private Outcome shutdown(List<QubeEntry> domains, String argument) {
        Map<QubeEntry, QubesCallException> failed = Parallel.each(domains, q -> app.call(q.name(), "admin.vm.Shutdown", argument),
                "QubesVMNotStartedError");
        Outcome outcome = new Outcome(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        failed.forEach((qube, e) -> (e.isA("QubesVMInUseError") ? outcome.used
                : e.isA("QubesVMShutdownTimeoutError") ? outcome.timedOut : outcome.unhandled).put(qube, e));
        return outcome;
    }

    private static String names(Map<QubeEntry, QubesCallException> qubes) {
        return String.join(", ", qubes.keySet().stream().map(QubeEntry::name).toList());
    }
}
