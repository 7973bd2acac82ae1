package io.bulkhead.core.domains.hal;

import java.util.List;
import java.util.Objects;

/**
 * The uplink of a domain to the domain that provides its network (its {@code netvm}). In Qubes
 * every qube is a /32 host behind its netvm; the backend connects a virtual NIC of this domain to
 * the backend domain (a Xen vif with {@code backend=}, a QEMU socket/tap pair, a Hyper-V private
 * switch port). The addresses are informational for backends that must program them (e.g. a DHCP
 * less guest gets them through QubesDB / the agent).
 *
 * @param backendDomain name of the domain that provides the network (must be running first)
 * @param mac           MAC address of this domain's interface ({@code xx:xx:xx:xx:xx:xx})
 * @param ip            IPv4 address of this domain on the link
 * @param gateway       IPv4 gateway (the netvm's visible address)
 * @param netmask       netmask, {@code 255.255.255.255} in Qubes
 * @param dns           virtual DNS servers ({@code 10.139.1.1}, {@code 10.139.1.2})
 */
public record NetworkLink(String backendDomain, String mac, String ip, String gateway, String netmask, List<String> dns) {

    public NetworkLink {
        Objects.requireNonNull(backendDomain, "backendDomain");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(netmask, "netmask");
        dns = List.copyOf(dns);
    }
}
