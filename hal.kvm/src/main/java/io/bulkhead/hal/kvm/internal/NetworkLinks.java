package io.bulkhead.hal.kvm.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The netvm side of a direct link between two QEMU processes: for each client the netvm gets a
 * listening stream netdev on a unix socket in its run directory plus a hot-plugged NIC (hence q35
 * for domains that provide network); the client connects to that socket at start. No host bridge,
 * no tap: dom0 stays off the network.
 */
final class NetworkLinks {

    private NetworkLinks() {
    }

    static String netdevId(String client) {
        return "link-" + client;
    }

    static String nicId(String client) {
        return "nic-" + client;
    }

    /** QMP arguments of {@code netdev_add} for the listening end of {@code client}'s link. */
    static Map<String, Object> netdevAddArguments(String client, Path socket) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("type", "stream");
        args.put("id", netdevId(client));
        args.put("server", true);
        args.put("addr", Map.of("type", "unix", "path", socket.toString()));
        return args;
    }

    /**
     * Hot-plug slots a netvm gets: q35's root bus takes no hot-plugged devices, so each client NIC
     * goes into one of these pre-created PCIe root ports.
     */
    static final int CLIENT_PORTS = 8;

    /** @return the id of hot-plug root port {@code index} of a netvm */
    static String portId(int index) {
        return "uplink-port" + index;
    }

    /** QMP arguments of {@code device_add} for the netvm's NIC facing {@code client}. */
    static Map<String, Object> nicAddArguments(Machine netvmMachine, String client, String mac, int port) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("driver", netvmMachine.netDevice());
        args.put("id", nicId(client));
        args.put("netdev", netdevId(client));
        args.put("mac", mac);
        if (netvmMachine == Machine.Q35) {
            args.put("bus", portId(port));
        }
        return args;
    }

    /**
     * Adds the listening end of {@code client}'s link to a running netvm.
     *
     * @param backendMac MAC of the netvm's NIC facing the client ({@link GuestNetwork#vifMac})
     * @param port       the netvm's free hot-plug port ({@link #CLIENT_PORTS} of them)
     */
    static void plug(QmpClient netvm, Machine netvmMachine, String client, Path socket, String backendMac, int port)
            throws IOException {
        netvm.execute("netdev_add", netdevAddArguments(client, socket));
        try {
            netvm.execute("device_add", nicAddArguments(netvmMachine, client, backendMac, port));
        } catch (IOException e) {
            netvm.execute("netdev_del", Map.of("id", netdevId(client)));
            throw e;
        }
    }

    /**
     * Removes {@code client}'s NIC and netdev from a running netvm; best effort. The NIC leaves
     * once the guest has ejected it (QEMU then sends DEVICE_DELETED); the netdev goes at once.
     *
     * @return whether QEMU accepted the NIC's removal (false: it was not there, or the netvm is stopping)
     */
    static boolean unplug(QmpClient netvm, String client) {
        boolean accepted;
        try {
            netvm.execute("device_del", Map.of("id", nicId(client)));
            accepted = true;
        } catch (IOException e) {
            accepted = false; // already gone, or the netvm is stopping
        }
        try {
            netvm.execute("netdev_del", Map.of("id", netdevId(client)));
        } catch (IOException e) {
            // already gone, or the netvm is stopping
        }
        return accepted;
    }

    /** @return the client whose NIC a DEVICE_DELETED event of the netvm is about, if it is one */
    static java.util.Optional<String> clientOfDeletedNic(QmpEvent event) {
        String device = event.data().path("device").asText("");
        return device.startsWith("nic-") ? java.util.Optional.of(device.substring("nic-".length())) : java.util.Optional.empty();
    }
}
