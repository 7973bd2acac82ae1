package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.NetworkLink;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The private virtual switch that carries one {@link NetworkLink}: one switch per (netvm, client)
 * pair, with exactly two ports, the client's uplink adapter and one adapter of the netvm. This is
 * Qubes' point-to-point vif model: a client sees only its netvm, never another client, so the
 * netvm's firewall decides everything (a shared per-netvm switch would put all clients on one L2
 * segment). Cost: one adapter per client in the netvm (Hyper-V allows 64 synthetic adapters per
 * VM on Windows Server 2019/Windows 10 1809 and later, 8 before).
 *
 * @param name       switch name: prefix, readable names, and a hash that makes it unique
 * @param netvmQube  UUID of the netvm qube (recorded in the switch notes for re-attachment)
 * @param clientMac  the client's MAC in Hyper-V form (12 hex digits)
 * @param netvmMac   the netvm side's MAC in Hyper-V form, derived from the client's
 */
record LinkSwitch(String name, UUID netvmQube, String clientMac, String netvmMac) {

    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final int READABLE = 20;

    /** Name of the client's adapter on a link switch. */
    static final String UPLINK_ADAPTER = "bulkhead-uplink";

    /** Name of the adapter connected to the host switch of feature {@code hyperv-switch}. */
    static final String EXTERNAL_ADAPTER = "bulkhead-external";

    /**
     * @param prefix      configured switch name prefix
     * @param netvmVm     Hyper-V VM name of the netvm
     * @param clientVm    Hyper-V VM name of the client
     * @param netvmQube   UUID of the netvm qube
     * @param link        the client's uplink
     * @throws IllegalArgumentException if the link's MAC is malformed
     */
    static LinkSwitch of(String prefix, String netvmVm, String clientVm, UUID netvmQube, NetworkLink link) {
        String clientMac = hyperVMac(link.mac());
        String netvmMac = hyperVMac(netvmSideMac(link.mac()));
        String name = prefix + readable(netvmVm) + "-" + readable(clientVm) + "-" + hash(netvmVm, clientVm);
        return new LinkSwitch(name, netvmQube, clientMac, netvmMac);
    }

    /** The switch notes: say what it is and let the netvm find its links again after a restart. */
    String notes() {
        return notesPrefix(netvmQube) + netvmMac;
    }

    /** Notes of every link switch of the netvm {@code netvmQube} start with this. */
    static String notesPrefix(UUID netvmQube) {
        return "Bulkhead link to netvm " + netvmQube + "; netvm-side MAC ";
    }

    /** @return {@code aa:bb:cc:dd:ee:ff} as Hyper-V writes MACs: {@code AABBCCDDEEFF} */
    static String hyperVMac(String mac) {
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("MAC address must look like 00:16:3e:5e:6c:00, got "
                    + PowerShellQuoting.visible(mac));
        }
        return mac.replace(":", "").toUpperCase(Locale.ROOT);
    }

    /** A locally administered unicast MAC for the netvm's side, derived from the client's. */
    static String netvmSideMac(String clientMac) {
        hyperVMac(clientMac);
        String[] octets = clientMac.split(":");
        octets[0] = String.format("%02x", (Integer.parseInt(octets[0], 16) | 0x02) & 0xfe);
        octets[5] = String.format("%02x", Integer.parseInt(octets[5], 16) ^ 0x01);
        return String.join(":", octets);
    }

    private static String readable(String vmName) {
        String safe = vmName.replaceAll("[^A-Za-z0-9_.-]", "_");
        return safe.length() > READABLE ? safe.substring(0, READABLE) : safe;
    }

    private static String hash(String netvmVm, String clientVm) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((netvmVm + '\0' + clientVm).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
