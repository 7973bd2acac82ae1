package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.NetworkLink;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GuestNetworkTest {

    private static final UUID ID = UUID.fromString("3f1c2a9e-7a53-4b9c-9a37-0d1c2d3e4f50");

    private static DomainSpec.Builder qube(String name) {
        return DomainSpec.builder(name, ID, Path.of("/run/bh", name)).memory(256, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(Path.of("/t/vmlinux"), Optional.empty(), ""));
    }

    private static NetworkLink link(String netvm, String ip, String gateway, List<String> dns) {
        return new NetworkLink(netvm, "00:16:3e:5e:6c:00", ip, gateway, "255.255.255.255", dns);
    }

    @Test
    void aClientLearnsItsAddressGatewayAndDns() {
        DomainSpec work = qube("work").network(link("sys-firewall", "10.137.0.5", "10.137.0.3",
                List.of("10.139.1.1", "10.139.1.2"))).build();
        assertEquals(List.of("bulkhead.ip=10.137.0.5", "bulkhead.gw=10.137.0.3", "bulkhead.dns=10.139.1.1,10.139.1.2"),
                GuestNetwork.kernelOptions(work, ""));
    }

    @Test
    void aClientWithoutDnsGetsNoDnsOption() {
        DomainSpec work = qube("work").network(link("sys-net", "10.137.0.5", "10.137.0.2", List.of())).build();
        assertEquals(List.of("bulkhead.ip=10.137.0.5", "bulkhead.gw=10.137.0.2"), GuestNetwork.kernelOptions(work, ""));
    }

    @Test
    void aNetvmLearnsTheGatewayAddressItShowsItsClients() {
        DomainSpec sysNet = qube("sys-net").providesNetwork(true).option("gateway", "10.137.0.2").build();
        assertEquals(List.of("bulkhead.netvm=1", "bulkhead.netvm_gw=10.137.0.2"), GuestNetwork.kernelOptions(sysNet, ""));
    }

    @Test
    void aNetvmThatIsAlsoAClientGetsBothSides() {
        DomainSpec firewall = qube("sys-firewall").providesNetwork(true).option("gateway", "10.137.0.3")
                .network(link("sys-net", "10.137.0.3", "10.137.0.2", List.of("10.139.1.1"))).build();
        assertEquals(List.of("bulkhead.netvm=1", "bulkhead.netvm_gw=10.137.0.3", "bulkhead.ip=10.137.0.3",
                "bulkhead.gw=10.137.0.2", "bulkhead.dns=10.139.1.1"), GuestNetwork.kernelOptions(firewall, ""));
    }

    @Test
    void withoutTheGatewayOptionANetvmShowsItsOwnUplinkAddress() {
        DomainSpec firewall = qube("sys-firewall").providesNetwork(true)
                .network(link("sys-net", "10.137.0.3", "10.137.0.2", List.of())).build();
        assertEquals(Optional.of("10.137.0.3"), GuestNetwork.netvmGateway(firewall));
        DomainSpec lonely = qube("sys-net").providesNetwork(true).build();
        assertEquals(List.of("bulkhead.netvm=1"), GuestNetwork.kernelOptions(lonely, ""),
                "no address known: the guest routes its clients but shows them no gateway");
    }

    @Test
    void theQubesOwnKernelOptionsWin() {
        DomainSpec work = qube("work").providesNetwork(true).option("gateway", "10.137.0.2")
                .network(link("sys-net", "10.137.0.5", "10.137.0.2", List.of("10.139.1.1"))).build();
        assertEquals(List.of(), GuestNetwork.kernelOptions(work, "bulkhead.netvm=0 bulkhead.netvm_gw=1.2.3.4 bulkhead.ip=10.0.0.9"));
    }

    @Test
    void anAddressThatIsNotIpv4IsRefusedNamingTheQubeAndTheAddress() {
        for (String bad : List.of("fd09:24ef:4179::a89:5", "10.137.0", "10.137.0.256", "10.137.0.5 init=/bin/sh", "", "010.1.1.1")) {
            DomainSpec work = qube("work").network(link("sys-net", bad, "10.137.0.2", List.of())).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GuestNetwork.kernelOptions(work, ""));
            assertTrue(e.getMessage().contains("work") && e.getMessage().contains("'" + bad + "'")
                    && e.getMessage().contains("IPv4"), e.getMessage());
        }
        DomainSpec badDns = qube("work").network(link("sys-net", "10.137.0.5", "10.137.0.2", List.of("dns.example"))).build();
        IllegalArgumentException dns = assertThrows(IllegalArgumentException.class, () -> GuestNetwork.kernelOptions(badDns, ""));
        assertTrue(dns.getMessage().contains("DNS server 'dns.example'"), dns.getMessage());
        DomainSpec badGateway = qube("sys-net").providesNetwork(true).option("gateway", "10.137.0.2,evil").build();
        IllegalArgumentException gw = assertThrows(IllegalArgumentException.class, () -> GuestNetwork.kernelOptions(badGateway, ""));
        assertTrue(gw.getMessage().contains("'10.137.0.2,evil'"), gw.getMessage());
    }

    @Test
    void theVifMacCarriesTheClientAddressBehindQubesBackendPrefix() {
        assertEquals("fe:ff:0a:89:00:05", GuestNetwork.vifMac("work", "10.137.0.5"));
        assertEquals("fe:ff:0a:8a:27:5d", GuestNetwork.vifMac("disp9999", "10.138.39.93"));
        int first = Integer.parseInt(GuestNetwork.vifMac("work", "10.137.0.5").substring(0, 2), 16);
        assertEquals(2, first & 0x02, "locally administered");
        assertEquals(0, first & 0x01, "unicast");
    }

    @Test
    void aVifMacForANonIpv4AddressIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GuestNetwork.vifMac("work", "fd09:24ef:4179::a89:5"));
        assertTrue(e.getMessage().contains("work") && e.getMessage().contains("fd09:24ef:4179::a89:5"), e.getMessage());
    }

    /** The guest decodes the MAC's last four bytes as the address (template/rootfs/sbin/bulkhead-vif). */
    @Property
    void theVifMacDecodesBackToTheAddress(@ForAll @IntRange(max = 255) int a, @ForAll @IntRange(max = 255) int b,
            @ForAll @IntRange(max = 255) int c, @ForAll @IntRange(max = 255) int d) {
        String mac = GuestNetwork.vifMac("q", a + "." + b + "." + c + "." + d);
        assertTrue(mac.matches("fe:ff(:[0-9a-f]{2}){4}"), mac);
        String[] octets = mac.split(":");
        int[] decoded = new int[4];
        for (int i = 0; i < 4; i++) {
            decoded[i] = Integer.parseInt(octets[i + 2], 16);
        }
        assertArrayEquals(new int[] {a, b, c, d}, decoded);
    }
}
