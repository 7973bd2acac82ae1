package io.bulkhead.qvm.internal.tools;

import java.util.List;
import java.util.Map;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QubeSelection;
import io.bulkhead.qvm.internal.QvmTool;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** qvm-kill, qvm-pause and qvm-unpause: one power action on each selected qube. */
public abstract class QvmPower extends QvmTool {

    @Mixin
    QubeSelection qubes = new QubeSelection();

    List<QubeEntry> selected() {
        return domains(qubes);
    }

    void report(String action, Map<QubeEntry, QubesCallException> failed) {
        failed.forEach((qube, e) -> printError("Failed to " + action + ": " + qube.name() + ": " + e.getMessage()));
    }

    /** qvm-kill: exit code = number of qubes that could not be killed; halted qubes are not an error. */
    @picocli.CommandLine.Command(name = "qvm-kill", sortOptions = false,
            description = "immediately terminate a qube without a graceful shutdown sequence")
    public static final class Kill extends QvmPower {
        @Override
        public Integer call() {
            Map<QubeEntry, QubesCallException> failed = Parallel.each(selected(), q -> app.call(q.name(), "admin.vm.Kill"),
                    "QubesVMNotStartedError");
            report("kill", failed);
            return failed.size();
        }
    }

    /** qvm-pause: pause (or with --suspend, S3-suspend) qubes. */
    @picocli.CommandLine.Command(name = "qvm-pause", description = "pause a qube", sortOptions = false,
            footer = "Paused qubes will be killed on system shutdown.")
    public static final class Pause extends QvmPower {
        @Option(names = {"--suspend", "-S"}, description = "Put the qube to (S3) suspend mode instead of emergency pause")
        boolean suspend;

        @Override
        public Integer call() {
            String method = suspend ? "admin.vm.Suspend" : "admin.vm.Pause";
            Map<QubeEntry, QubesCallException> failed = Parallel.each(selected(), q -> app.call(q.name(), method));
            report(suspend ? "suspend" : "pause", failed);
            return failed.isEmpty() ? 0 : 1;
        }
    }

    /** qvm-unpause: unpause paused qubes, resume suspended ones; --all skips internal qubes. */
    @picocli.CommandLine.Command(name = "qvm-unpause", description = "unpause a domain", sortOptions = false)
    public static final class Unpause extends QvmPower {
        @Override
        public Integer call() {
            List<QubeEntry> domains = selected();
            if (qubes.all()) {
                domains = domains.stream().filter(q -> app.feature(q.name(), "internal").filter(v -> !v.isEmpty()).isEmpty()).toList();
            }
            Map<QubeEntry, QubesCallException> failed = Parallel.each(domains,
                    q -> app.call(q.name(), "Suspended".equals(q.state()) ? "admin.vm.Resume" : "admin.vm.Unpause"));
            report("unpause/resume", failed);
            return failed.isEmpty() ? 0 : 1;
        }
    }
}
