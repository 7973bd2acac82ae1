package io.bulkhead.core.domains.internal.model;

/** Qubes' address scheme (reference §1.6). */
public final class Network {

    public static final String QUBE_PREFIX = "10.137";
    public static final String DISP_PREFIX = "10.138";
    public static final String DNS1 = "10.139.1.1";
    public static final String DNS2 = "10.139.1.2";
    public static final String NETMASK = "255.255.255.255";
    public static final String DEFAULT_MAC = "00:16:3e:5e:6c:00";
    public static final String IPV6_PREFIX = "fd09:24ef:4179:0000";

    private Network() {
    }

    /** {@code vmid_to_ipv4}: ids below 255 map to {@code prefix.0.id}, others skip .0 and .255. */
    public static String vmidToIpv4(String prefix, int id) {
        if (id < 255) {
            return prefix + "." + (id >> 8) + "." + (id & 255);
        }
        int n = id - 1;
        return prefix + "." + (n / 254) + "." + (n % 254 + 1);
    }

    /** IPv6 of a qube: {@code fd09:24ef:4179::a89:<hex id>} (DispVM {@code a8a}). */
    public static String vmidToIpv6(boolean disp, int id) {
        return "fd09:24ef:4179::" + (disp ? "a8a" : "a89") + ":" + Integer.toHexString(id);
    }

    public static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    public static boolean isIpv6(String s) {
        return s.matches("[0-9a-fA-F:]{2,39}") && s.contains(":");
    }
}
