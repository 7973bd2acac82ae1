package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.QubeClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Helpers shared by the service tests. */
final class TestSupport {

    private TestSupport() {
    }

    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());

    static DomainsServiceImpl open(Path dir) {
        return new DomainsServiceImpl(dir, "qubes.xml", "kvm", "qemu-img", (m, e) -> LOG.add(m));
    }

    /** fedora template, sys-net (provides network), sys-firewall (netvm sys-net), work AppVM. */
    static void standardQubes(DomainsServiceImpl s) {
        s.create(QubeClass.TEMPLATE_VM, "fedora", "black", Map.of());
        s.setGlobalProperty("default_template", "fedora");
        s.create(QubeClass.APP_VM, "sys-net", "red", Map.of("provides_network", "True", "netvm", ""));
        s.create(QubeClass.APP_VM, "sys-firewall", "green", Map.of("provides_network", "True", "netvm", "sys-net"));
        s.setGlobalProperty("default_netvm", "sys-firewall");
        s.create(QubeClass.APP_VM, "work", "blue", Map.of());
    }

    static void installKernel(Path dataDir, String name) throws IOException {
        Path k = dataDir.resolve("vm-kernels").resolve(name);
        Files.createDirectories(k);
        Files.writeString(k.resolve("vmlinuz"), "kernel");
        Files.writeString(k.resolve("initramfs"), "initrd");
    }
}
