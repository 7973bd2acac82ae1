package io.bulkhead.qvm.internal.tools;

import java.nio.file.Path;

import io.bulkhead.qvm.internal.QvmTool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Bulkhead's own dom0 management commands (no Qubes counterpart): install and remove extensions,
 * list them, select the hypervisor backend. They call the dom0-only {@code bulkhead.*} Admin API
 * methods of core.runtime and print the report dom0 returns.
 */
public final class BulkheadTools {

    private BulkheadTools() {
    }

    /** {@code bulkhead-install FILE|URL}: a bundle (.jar) or feature package (.bfp). */
    @Command(name = "bulkhead-install", sortOptions = false,
            description = "install a bundle (.jar) or a feature package (.bfp) into the running dom0")
    public static final class Install extends QvmTool {
        @Parameters(paramLabel = "FILE|URL", description = "path on dom0, or a file:, http: or https: URL")
        String source;

        @Override
        public Integer call() {
            io.out().print(app.call("dom0", "bulkhead.extension.Install", "", absolute(source)));
            return 0;
        }

        /** dom0 resolves paths against its own working directory: send an absolute one. */
        static String absolute(String source) {
            if (source.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
                return source;
            }
            return Path.of(source).toAbsolutePath().normalize().toString();
        }
    }

    /** {@code bulkhead-uninstall NAME}: the deployed file name or a bundle symbolic name. */
    @Command(name = "bulkhead-uninstall", sortOptions = false, description = "remove an installed extension from dom0")
    public static final class Uninstall extends QvmTool {
        @Parameters(paramLabel = "NAME", description = "file name as listed by bulkhead-extensions, or a bundle symbolic name")
        String name;

        @Override
        public Integer call() {
            io.out().print(app.call("dom0", "bulkhead.extension.Remove", name));
            return 0;
        }
    }

    /** {@code bulkhead-extensions}: deployed extensions with the state of their bundles. */
    @Command(name = "bulkhead-extensions", sortOptions = false, description = "list the extensions installed in dom0")
    public static final class Extensions extends QvmTool {
        @Override
        public Integer call() {
            io.out().print(app.call("dom0", "bulkhead.extension.List"));
            return 0;
        }
    }

    /** {@code bulkhead-backend [ID] [--force]}: show or switch the hypervisor backend. */
    @Command(name = "bulkhead-backend", sortOptions = false,
            description = "show the hypervisor backend, or switch to another one (refused while qubes run, unless --force)")
    public static final class Backend extends QvmTool {
        @Parameters(paramLabel = "ID", arity = "0..1", description = "backend to select: kvm, xen, hyperv, local, ...")
        String id;

        @Option(names = {"--force", "-f"}, description = "shut down running qubes first")
        boolean force;

        @Override
        public Integer call() {
            if (id == null) {
                io.out().print(app.call("dom0", "bulkhead.hypervisor.Get"));
            } else {
                io.out().print(app.call("dom0", "bulkhead.hypervisor.Set", id, force ? "force" : ""));
            }
            return 0;
        }
    }
}
