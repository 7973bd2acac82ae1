package io.bulkhead.hal.xen.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads {@code xl list -l}: a JSON array with one {@code {"domid": N, "config": {...}}} object per
 * domain, {@code config} being libxl's {@code libxl_domain_config} as libxl serialises it
 * ({@code c_info}, {@code b_info}, {@code disks}, {@code nics}, {@code pcidevs}, ...).
 *
 * <p>libxl facts that matter here: fields holding their default value are left out (so a
 * read-only disk has no {@code readwrite}, PCI function 0 has no {@code func}); enumerations are
 * lower-case strings ({@code "pvh"}, {@code "qcow2"}); booleans of type {@code bool} are JSON
 * booleans. There is no run state in this output (see {@link XlListTable}).
 */
final class XlListJson {

    /**
     * A disk of a running domain.
     *
     * @param vdev          guest device name
     * @param target        pdev_path: image or device in the backend domain
     * @param backendDomain backend domain name, if not dom0
     * @param readWrite     attached read-write
     */
    record Disk(String vdev, String target, Optional<String> backendDomain, boolean readWrite) {
    }

    /**
     * A network interface of a running domain.
     *
     * @param mac           MAC address
     * @param ip            configured IP address(es)
     * @param backendDomain backend (netvm) name, if given by name
     */
    record Nic(String mac, String ip, Optional<String> backendDomain) {
    }

    /**
     * One domain.
     *
     * @param domid Xen domain id
     * @param name  domain name
     * @param uuid  the domain's UUID, if set
     * @param type  pvh/hvm/pv, if known
     * @param disks its disks
     * @param nics  its network interfaces
     * @param pci   BDFs of passed-through PCI devices ({@code 0000:00:14.0})
     */
    record Domain(int domid, String name, Optional<UUID> uuid, Optional<VirtMode> type, List<Disk> disks, List<Nic> nics,
            List<String> pci) {
    }

    private XlListJson() {
    }

    /**
     * @return guest domains by name (domid 0 left out)
     * @throws IllegalArgumentException if the output is not the JSON array xl prints
     */
    static Map<String, Domain> parse(ObjectMapper mapper, String output) {
        JsonNode root;
        try {
            root = mapper.readTree(output.isBlank() ? "[]" : output);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("`xl list -l` did not print JSON: " + e.getOriginalMessage(), e);
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("`xl list -l` printed JSON that is not an array: "
                    + abbreviate(root.toString()));
        }
        Map<String, Domain> domains = new LinkedHashMap<>();
        for (JsonNode entry : root) {
            JsonNode config = entry.path("config");
            String name = config.path("c_info").path("name").asText("");
            if (!entry.path("domid").canConvertToInt() || name.isEmpty()) {
                throw new IllegalArgumentException("`xl list -l` entry without domid or c_info.name: "
                        + abbreviate(entry.toString()));
            }
            int domid = entry.path("domid").asInt();
            if (domid == 0) {
                continue;
            }
            domains.put(name, new Domain(domid, name, uuid(config.path("c_info").path("uuid").asText("")),
                    type(config.path("c_info").path("type").asText("")), disks(config.path("disks")),
                    nics(config.path("nics")), pci(config.path("pcidevs"))));
        }
        return domains;
    }

    private static List<Disk> disks(JsonNode array) {
        List<Disk> disks = new ArrayList<>();
        for (JsonNode disk : array) {
            disks.add(new Disk(disk.path("vdev").asText(""), disk.path("pdev_path").asText(""),
                    text(disk.path("backend_domname")), disk.path("readwrite").asInt(0) != 0));
        }
        return disks;
    }

    private static List<Nic> nics(JsonNode array) {
        List<Nic> nics = new ArrayList<>();
        for (JsonNode nic : array) {
            nics.add(new Nic(nic.path("mac").asText(""), nic.path("ip").asText(""), text(nic.path("backend_domname"))));
        }
        return nics;
    }

    private static List<String> pci(JsonNode array) {
        List<String> devices = new ArrayList<>();
        for (JsonNode device : array) {
            devices.add(String.format(Locale.ROOT, "%04x:%02x:%02x.%d", device.path("domain").asInt(0),
                    device.path("bus").asInt(0), device.path("dev").asInt(0), device.path("func").asInt(0)));
        }
        return devices;
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static Optional<UUID> uuid(String text) {
        try {
            return text.isEmpty() ? Optional.empty() : Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<VirtMode> type(String text) {
        try {
            return text.isEmpty() ? Optional.empty() : Optional.of(VirtMode.parse("type", text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
