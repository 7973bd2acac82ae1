package io.bulkhead.qvm.internal.tools;

import java.util.List;
import java.util.Map;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.QubeEntry;
import io.bulkhead.qvm.internal.QubeSelection;
import io.bulkhead.qvm.internal.QvmTool;
import io.bulkhead.qvm.internal.ToolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** qvm-start: start qubes (concurrently, as Qubes does). */
@Command(name = "qvm-start", description = "start a domain", sortOptions = false)
public final class QvmStart extends QvmTool {

    @Option(names = "--skip-if-running", description = "Do not fail if the qube is already runnning")
    boolean skipIfRunning;

    @Option(names = "--drive", paramLabel = "DRIVE", description = "temporarily attach specified drive as CD/DVD or hard disk; not supported by Bulkhead yet")
    String drive;

    @Option(names = "--hddisk", paramLabel = "IMAGE", description = "temporarily attach specified drive as hard disk; not supported by Bulkhead yet")
    String hddisk;

    @Option(names = "--cdrom", paramLabel = "IMAGE", description = "temporarily attach specified drive as CD/DVD; not supported by Bulkhead yet")
    String cdrom;

    @Option(names = "--install-windows-tools", description = "temporarily attach Windows tools CDROM to the domain; not supported by Bulkhead yet")
    boolean installWindowsTools;

    @Mixin
    QubeSelection qubes = new QubeSelection();

    @Override
    public Integer call() {
        List<QubeEntry> domains = domains(qubes);
        if (drive != null || hddisk != null || cdrom != null || installWindowsTools) {
            throw ToolError.runtime("attaching a drive at start (--drive, --hddisk, --cdrom, --install-windows-tools)"
                    + " is not supported by Bulkhead yet");
        }
        Map<QubeEntry, QubesCallException> failed = Parallel.each(domains, qube -> {
            if (qube.running()) {
                if (skipIfRunning) {
                    return;
                }
                throw new QubesCallException("QubesVMAlreadyStartedError", "Domain is already running");
            }
            app.call(qube.name(), "admin.vm.Start");
        });
        failed.forEach((qube, e) -> printError("Starting qube failed: " + qube.name() + ": " + e.getMessage()));
        return failed.isEmpty() ? 0 : 1;
    }
}
