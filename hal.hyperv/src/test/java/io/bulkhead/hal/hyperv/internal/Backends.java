package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.support.MetatypeConfigurations;

import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Building blocks for tests that drive the backend against {@link FakeHyperV}. */
final class Backends {

    static final Platform LINUX = new Platform("Linux", false, "", ":", Optional.empty(), () -> {
        throw new AssertionError("Winsock must not be loaded on Linux");
    });

    private Backends() {
    }

    static HypervConfiguration config(Map<String, ?> values) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("statePollSeconds", 60); // tests that want the poll ask for it
        all.putAll(values);
        return MetatypeConfigurations.of(HypervConfiguration.class, all);
    }

    static HypervHypervisor backend(FakeHyperV fake, Map<String, ?> config) {
        return new HypervHypervisor(config(config), (c, p) -> fake, LINUX);
    }

    static HypervHypervisor backend(FakeHyperV fake, Map<String, ?> config, Platform platform) {
        return new HypervHypervisor(config(config), (c, p) -> fake, platform);
    }

    /**
     * A template-based qube as core's file pool hands it over: root as a qcow2 snapshot of the
     * template's root, private as a save-on-stop overlay of its own image, a raw volatile.
     */
    static DomainSpec.Builder appVm(Path pool, String name) {
        Path own = pool.resolve("appvms").resolve(name);
        return DomainSpec.builder(name, UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        pool.resolve("run").resolve(name))
                .memory(400, 4000).vcpus(2)
                .boot(new DomainSpec.DiskBoot())
                .volume(new VolumeSpec("root", own.resolve("root-snap.qcow2"), DiskFormat.QCOW2, false,
                        Optional.of(pool.resolve("vm-templates").resolve("fedora").resolve("root.img"))))
                .volume(new VolumeSpec("private", own.resolve("private-dirty.qcow2"), DiskFormat.QCOW2, false,
                        Optional.of(own.resolve("private.img"))))
                .volume(VolumeSpec.of("volatile", own.resolve("volatile.img"), DiskFormat.RAW, false))
                .channel("qrexec").channel("qubesdb");
    }

    static NetworkLink uplink(String netvm, String mac) {
        return new NetworkLink(netvm, mac, "10.137.0.5", "10.137.0.1", "255.255.255.255",
                List.of("10.139.1.1", "10.139.1.2"));
    }

    /** The part of a script between the prelude and the result envelope. */
    static String body(PowerShellScript script) {
        String text = script.text();
        int start = text.indexOf("$bulkheadResult = @(& {\n");
        int end = text.lastIndexOf("})\nConvertTo-Json -Compress -Depth 8");
        return text.substring(start + "$bulkheadResult = @(& {\n".length(), end);
    }

    /** Commands of the script body, in order. */
    static List<PsCommands.Invocation> commands(PowerShellScript script) {
        return PsCommands.of(body(script));
    }

    static List<String> commandNames(PowerShellScript script) {
        return commands(script).stream().map(PsCommands.Invocation::name).toList();
    }

    static PsCommands.Invocation command(PowerShellScript script, String name) {
        return commands(script).stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in\n" + body(script)));
    }

    static List<PsCommands.Invocation> all(PowerShellScript script, String name) {
        return commands(script).stream().filter(c -> c.name().equals(name)).toList();
    }

    /** Collects state events as "domain STATE reason". */
    static final class Events {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        void record(String domain, DomainState state, String reason) {
            queue.add(domain + " " + state + " " + reason);
        }

        String next() throws InterruptedException {
            String event = queue.poll(5, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no state event within 5 s");
            }
            return event;
        }

        String none() throws InterruptedException {
            return queue.poll(200, TimeUnit.MILLISECONDS);
        }
    }
}
