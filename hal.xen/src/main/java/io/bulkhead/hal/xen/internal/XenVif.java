package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.core.domains.hal.support.Ipv4;
import java.util.regex.Pattern;

/**
 * A Xen network interface of a qube whose backend is its netvm (a driver domain, as in Qubes),
 * and its xl vif-spec string (docs/man/xl-network-configuration).
 *
 * <p>Spec grammar facts (xl's {@code parse_nic_config}): the string is cut at every comma, each
 * piece is {@code key=value}; values therefore cannot contain commas, and xl takes {@code ip=}
 * as a space-separated address list. Every value is checked against a strict pattern instead.
 *
 * @param mac     the qube's MAC address
 * @param ip      the qube's IPv4 address on the link
 * @param backend the netvm (domain running the vif backend)
 * @param script  hotplug script run in the backend domain ({@code vif-route-qubes} in Qubes)
 */
record XenVif(String mac, String ip, String backend, String script) {

    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern SCRIPT = Pattern.compile("[A-Za-z0-9_./-]+");

    XenVif {
        if (mac == null || !MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("MAC address '" + XenNames.printable(mac)
                    + "' is not of the form xx:xx:xx:xx:xx:xx");
        }
        requireIpv4("IP address", ip);
        XenNames.require("netvm", backend);
        requireScript(script);
    }

    /** The vif of a qube's uplink. */
    static XenVif of(String domain, NetworkLink link, String script) {
        try {
            return new XenVif(link.mac(), link.ip(), link.backendDomain(), script);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("network link of domain " + domain + " to '"
                    + XenNames.printable(link.backendDomain()) + "': " + e.getMessage(), e);
        }
    }

    /** @return {@code script} if it is a plain script name or path, else throws */
    static String requireScript(String script) {
        if (script == null || !SCRIPT.matcher(script).matches()) {
            throw new IllegalArgumentException("vif script '" + XenNames.printable(script)
                    + "' must match [A-Za-z0-9_./-]+");
        }
        return script;
    }

    /** @return {@code ip} if it is a dotted IPv4 address, else throws naming {@code what} */
    static String requireIpv4(String what, String ip) {
        if (!Ipv4.isValid(ip)) {
            throw new IllegalArgumentException(what + " '" + XenNames.printable(ip) + "' is not a dotted IPv4 address");
        }
        return ip;
    }

    /** @return the xl vif-spec string, e.g. {@code mac=00:16:3e:5e:6c:00,ip=10.137.0.5,backend=sys-net,script=vif-route-qubes} */
    String spec() {
        return "mac=" + mac.toLowerCase(java.util.Locale.ROOT) + ",ip=" + ip + ",backend=" + backend + ",script=" + script;
    }
}
