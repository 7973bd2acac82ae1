package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkLinksTest {

    @TempDir
    Path dir;

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void plugAddsAListeningStreamNetdevThenANicOnTheNetvm() throws Exception {
        try (FakeQmpServer netvm = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            netvm.on("netdev_add", args -> netvm.ok(mapper.createObjectNode()));
            netvm.on("device_add", args -> netvm.ok(mapper.createObjectNode()));
            try (QmpClient qmp = QmpClient.open(netvm.socket(), mapper, e -> { }, "sys-net", Duration.ofSeconds(5))) {
                NetworkLinks.plug(qmp, Machine.Q35, "work", Path.of("/run/sys-net/net-work.sock"), "02:16:3e:5e:6c:01", 3);
            }
            List<JsonNode> sent = netvm.received();
            JsonNode netdev = sent.get(1);
            assertEquals("netdev_add", netdev.path("execute").asText());
            JsonNode args = netdev.path("arguments");
            assertEquals("stream", args.path("type").asText());
            assertEquals("link-work", args.path("id").asText());
            assertTrue(args.path("server").asBoolean(), "the netvm side listens");
            assertEquals("unix", args.path("addr").path("type").asText());
            assertEquals("/run/sys-net/net-work.sock", args.path("addr").path("path").asText());
            JsonNode nic = sent.get(2);
            assertEquals("device_add", nic.path("execute").asText());
            assertEquals("virtio-net-pci", nic.path("arguments").path("driver").asText());
            assertEquals("nic-work", nic.path("arguments").path("id").asText());
            assertEquals("link-work", nic.path("arguments").path("netdev").asText());
            assertEquals("02:16:3e:5e:6c:01", nic.path("arguments").path("mac").asText());
            assertEquals("uplink-port3", nic.path("arguments").path("bus").asText(), "q35's root bus takes no hot-plug");
        }
    }

    @Test
    void failedNicRollsBackTheNetdev() throws Exception {
        try (FakeQmpServer netvm = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            netvm.on("netdev_add", args -> netvm.ok(mapper.createObjectNode()));
            netvm.on("device_add", args -> netvm.error("GenericError", "Bus 'pcie.0' does not support hotplugging"));
            netvm.on("netdev_del", args -> netvm.ok(mapper.createObjectNode()));
            try (QmpClient qmp = QmpClient.open(netvm.socket(), mapper, e -> { }, "sys-net", Duration.ofSeconds(5))) {
                QmpException e = assertThrows(QmpException.class, () -> NetworkLinks.plug(qmp, Machine.Q35, "work",
                        Path.of("/n.sock"), "02:00:00:00:00:01", 0));
                assertTrue(e.getMessage().contains("hotplugging"), e.getMessage());
            }
            JsonNode last = netvm.received().get(netvm.received().size() - 1);
            assertEquals("netdev_del", last.path("execute").asText());
            assertEquals("link-work", last.path("arguments").path("id").asText());
        }
    }

    @Test
    void unplugRemovesNicThenNetdevAndToleratesErrors() throws Exception {
        try (FakeQmpServer netvm = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            netvm.on("device_del", args -> netvm.error("DeviceNotFound", "Device 'nic-work' not found"));
            netvm.on("netdev_del", args -> netvm.ok(mapper.createObjectNode()));
            try (QmpClient qmp = QmpClient.open(netvm.socket(), mapper, e -> { }, "sys-net", Duration.ofSeconds(5))) {
                NetworkLinks.unplug(qmp, "work");
            }
            assertEquals("device_del", netvm.received().get(1).path("execute").asText());
            assertEquals("netdev_del", netvm.received().get(2).path("execute").asText());
        }
    }

    @Test
    void unplugSaysWhetherQemuAcceptedTheNicRemoval() throws Exception {
        try (FakeQmpServer netvm = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            netvm.on("device_del", args -> netvm.ok(mapper.createObjectNode()));
            netvm.on("netdev_del", args -> netvm.ok(mapper.createObjectNode()));
            try (QmpClient qmp = QmpClient.open(netvm.socket(), mapper, e -> { }, "sys-net", Duration.ofSeconds(5))) {
                assertTrue(NetworkLinks.unplug(qmp, "work"), "the guest will eject it: wait for DEVICE_DELETED");
            }
        }
        try (FakeQmpServer netvm = new FakeQmpServer(dir.resolve("qmp2.sock"))) {
            netvm.on("device_del", args -> netvm.error("DeviceNotFound", "Device 'nic-work' not found"));
            netvm.on("netdev_del", args -> netvm.ok(mapper.createObjectNode()));
            try (QmpClient qmp = QmpClient.open(netvm.socket(), mapper, e -> { }, "sys-net", Duration.ofSeconds(5))) {
                assertFalse(NetworkLinks.unplug(qmp, "work"), "nothing to wait for");
            }
        }
    }

    @Test
    void deletedNicEventsNameTheirClient() {
        ObjectNode nic = mapper.createObjectNode().put("device", "nic-work").put("path", "/machine/peripheral/nic-work");
        assertEquals(Optional.of("work"), NetworkLinks.clientOfDeletedNic(new QmpEvent("DEVICE_DELETED", nic, Instant.EPOCH)));
        ObjectNode backend = mapper.createObjectNode().put("path", "/machine/peripheral/nic-work/virtio-backend");
        assertEquals(Optional.empty(), NetworkLinks.clientOfDeletedNic(new QmpEvent("DEVICE_DELETED", backend, Instant.EPOCH)));
        ObjectNode other = mapper.createObjectNode().put("device", "usb0");
        assertEquals(Optional.empty(), NetworkLinks.clientOfDeletedNic(new QmpEvent("DEVICE_DELETED", other, Instant.EPOCH)));
    }

    @Test
    void idsAreDerivedFromTheClientName() throws IOException {
        assertEquals("link-work", NetworkLinks.netdevId("work"));
        assertEquals("nic-work", NetworkLinks.nicId("work"));
    }
}
