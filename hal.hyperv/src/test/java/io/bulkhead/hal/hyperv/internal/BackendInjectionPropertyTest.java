package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.VolumeSpec;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The whole backend with hostile qube names, netvm names, volume paths, prefixes and switch names:
 * every script it sends passes the stand-in's checks, and the names arrive whole.
 */
class BackendInjectionPropertyTest {

    @Provide
    Arbitrary<String> hostile() {
        return HostileStrings.values();
    }

    @Property(tries = 25)
    void hostileNamesAndPathsNeverEscapeTheirQuotes(@ForAll("hostile") String qube, @ForAll("hostile") String netvm,
            @ForAll("hostile") String directory, @ForAll("hostile") String prefix, @ForAll("hostile") String hostSwitch) {
        Assume.that(!qube.equals(netvm));
        Path base;
        try {
            base = Path.of("/pool").resolve(directory.replace("\0", "").replace('/', '_'));
        } catch (InvalidPathException e) {
            Assume.that(false);
            return;
        }
        FakeHyperV fake = new FakeHyperV();
        HypervHypervisor hyperv = Backends.backend(fake, Map.of("vmNamePrefix", prefix, "switchNamePrefix", prefix,
                "vhdxDirectory", directory));
        try {
            DomainSpec net = DomainSpec.builder(netvm, UUID.randomUUID(), base.resolve("run")).providesNetwork(true)
                    .option("hyperv-switch", hostSwitch)
                    .volume(VolumeSpec.of("root", base.resolve("net-root.vhdx"), DiskFormat.RAW, false)).build();
            DomainSpec client = DomainSpec.builder(qube, UUID.randomUUID(), base.resolve("run"))
                    .network(Backends.uplink(netvm, "00:16:3e:00:00:01"))
                    .volume(new VolumeSpec("root", base.resolve("snap.qcow2"), DiskFormat.QCOW2, false,
                            Optional.of(base.resolve("t").resolve("root.img"))))
                    .volume(VolumeSpec.of(qube, base.resolve("x.img"), DiskFormat.RAW, true)).build();
            hyperv.define(net);
            hyperv.start(netvm);
            hyperv.define(client);
            hyperv.start(qube);
            hyperv.pause(qube);
            hyperv.unpause(qube);
            hyperv.kill(qube);
            hyperv.undefine(qube);

            assertEquals(List.of(), fake.violations());
            List<String> created = fake.scripts().stream().filter(s -> s.operation().equals("define"))
                    .map(s -> Backends.command(s, "New-VM").get("-Name")).toList();
            assertEquals(List.of(prefix + netvm, prefix + qube), created);
            assertTrue(fake.last("define").literals().contains(base.resolve("t").resolve("root.vhdx").toString()));
            List<String> removeLiterals = fake.last("remove").literals();
            assertTrue(directory.isBlank() || removeLiterals.contains(directory.trim()), "the VHDX directory arrives whole");
        } finally {
            hyperv.close();
        }
    }
}
