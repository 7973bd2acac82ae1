package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.support.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the template's init needs to set up a qube's network by itself, the Qubes way, without a
 * DHCP server or QubesDB: the addresses travel on the kernel command line, and each netvm-side NIC
 * carries its client's address in its MAC. Pure, so every rule here is unit-tested.
 *
 * <ul>
 * <li>A client gets {@code bulkhead.ip=IP bulkhead.gw=GATEWAY bulkhead.dns=DNS1,DNS2}: its init
 * gives eth0 {@code IP/32}, an on-link default route via the gateway, and /etc/resolv.conf.</li>
 * <li>A netvm gets {@code bulkhead.netvm=1 bulkhead.netvm_gw=GATEWAY}: the address its clients
 * use as their gateway, which its init puts on each client NIC.</li>
 * <li>The netvm's NIC facing a client has MAC {@code fe:ff:A:B:C:D} where {@code A.B.C.D} is the
 * client's address ({@code fe:ff} is the prefix of Qubes' backend vifs, a locally administered
 * unicast MAC): the netvm's hot-plug watcher reads it back to route that address to that NIC.</li>
 * </ul>
 */
final class GuestNetwork {

    /** First two bytes of the MAC of a netvm's NIC facing a client (the template's init matches it). */
    static final String VIF_MAC_PREFIX = "fe:ff";
    /** Option of {@link DomainSpec#options()} with a netvm's gateway address for its clients. */
    static final String OPTION_GATEWAY = "gateway";

    private GuestNetwork() {
    }

    /**
     * The {@code bulkhead.*} network options of {@code spec}'s guest, minus those its own kernel
     * options ({@code given}) already set.
     *
     * @throws IllegalArgumentException when an address is not a dotted-quad IPv4 address
     */
    static List<String> kernelOptions(DomainSpec spec, String given) {
        List<String> words = new ArrayList<>();
        if (spec.providesNetwork()) {
            if (!given.contains("bulkhead.netvm=")) {
                words.add("bulkhead.netvm=1");
            }
            Optional<String> gateway = netvmGateway(spec);
            if (gateway.isPresent() && !given.contains("bulkhead.netvm_gw=")) {
                words.add("bulkhead.netvm_gw=" + checkIpv4(spec, "gateway for its clients", gateway.get()));
            }
        }
        if (!spec.networks().isEmpty() && !given.contains("bulkhead.ip=")) {
            NetworkLink uplink = spec.networks().get(0);
            words.add("bulkhead.ip=" + checkIpv4(spec, "uplink address", uplink.ip()));
            words.add("bulkhead.gw=" + checkIpv4(spec, "uplink gateway", uplink.gateway()));
            List<String> dns = new ArrayList<>();
            for (String server : uplink.dns()) {
                dns.add(checkIpv4(spec, "DNS server", server));
            }
            if (!dns.isEmpty()) {
                words.add("bulkhead.dns=" + String.join(",", dns));
            }
        }
        return words;
    }

    /**
     * The address a netvm shows its clients: core's {@value #OPTION_GATEWAY} option, else (a core
     * that does not pass it) the netvm's own uplink address, which is what Qubes uses too.
     */
    static Optional<String> netvmGateway(DomainSpec spec) {
        String option = spec.options().get(OPTION_GATEWAY);
        if (option != null && !option.isBlank()) {
            return Optional.of(option.strip());
        }
        return spec.networks().isEmpty() ? Optional.empty() : Optional.of(spec.networks().get(0).ip());
    }

    /**
     * MAC of the netvm's NIC facing the client whose address is {@code clientIp}.
     *
     * @throws IllegalArgumentException when {@code clientIp} is not a dotted-quad IPv4 address
     */
    static String vifMac(String clientName, String clientIp) {
        int[] bytes = Ipv4.parse(clientIp).orElseThrow(() -> new IllegalArgumentException("domain " + clientName
                + ": uplink address '" + clientIp + "' is not an IPv4 address (a.b.c.d); the netvm cannot route it"));
        return String.format("%s:%02x:%02x:%02x:%02x", VIF_MAC_PREFIX, bytes[0], bytes[1], bytes[2], bytes[3]);
    }

    private static String checkIpv4(DomainSpec spec, String what, String address) {
        if (!Ipv4.isValid(address)) {
            throw new IllegalArgumentException("domain " + spec.name() + ": " + what + " '" + address
                    + "' is not an IPv4 address (a.b.c.d); its guest configures IPv4 only");
        }
        return address;
    }
}
