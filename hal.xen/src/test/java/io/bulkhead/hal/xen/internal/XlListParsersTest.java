package io.bulkhead.hal.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkhead.core.domains.hal.DomainState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reading `xl list -v` (state) and `xl list -l` (configuration, JSON) as xl 4.17 prints them. */
class XlListParsersTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private static String resource(String name) throws IOException {
        try (InputStream in = XlListParsersTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void stateFlagsMapToDomainStates() throws IOException {
        Map<String, XlListTable.Row> rows = XlListTable.parse(resource("xl-list-v.txt"));
        assertEquals(List.of("sys-net", "sys-net-dm", "sys-firewall", "work", "disp1234", "disp5678", "saving", "old",
                "my vm from elsewhere"), List.copyOf(rows.keySet()), "Domain-0 is left out");
        assertEquals(DomainState.RUNNING, rows.get("sys-net").state(), "blocked = running, waiting for events");
        assertEquals(DomainState.RUNNING, rows.get("sys-firewall").state());
        assertEquals(DomainState.PAUSED, rows.get("work").state());
        assertEquals(DomainState.CRASHED, rows.get("disp1234").state());
        assertEquals("crashed", rows.get("disp1234").shutdownReason());
        assertEquals(DomainState.SHUTTING_DOWN, rows.get("disp5678").state());
        assertEquals("powered off", rows.get("disp5678").shutdownReason());
        assertEquals(DomainState.SUSPENDED, rows.get("saving").state());
        assertEquals(DomainState.DYING, rows.get("old").state());
        XlListTable.Row work = rows.get("work");
        assertEquals(5, work.domid());
        assertEquals(Optional.of(UUID.fromString("6f1a4e2c-8f2b-4a63-9a1e-0c3b7f1f1e01")), work.uuid());
        assertEquals(10, rows.get("my vm from elsewhere").domid(), "fields are read from the right");
    }

    @Test
    void unexpectedTableLinesAreReportedVerbatim() {
        IllegalArgumentException columns = assertThrows(IllegalArgumentException.class,
                () -> XlListTable.parse("work 5 400 2 --p---\n"));
        assertTrue(columns.getMessage().contains("'work 5 400 2 --p---'"), columns.getMessage());
        IllegalArgumentException flags = assertThrows(IllegalArgumentException.class, () -> XlListTable.parse(
                "work 5 400 2 paused 3.0 6f1a4e2c-8f2b-4a63-9a1e-0c3b7f1f1e01 - -\n"));
        assertTrue(flags.getMessage().contains("'paused'"), flags.getMessage());
    }

    @Test
    void configurationJsonGivesIdentityDisksNicsAndPci() throws IOException {
        Map<String, XlListJson.Domain> domains = XlListJson.parse(mapper, resource("xl-list-l.json"));
        assertEquals(List.of("sys-net", "work"), List.copyOf(domains.keySet()), "domid 0 is left out");

        XlListJson.Domain work = domains.get("work");
        assertEquals(5, work.domid());
        assertEquals(Optional.of(UUID.fromString("6f1a4e2c-8f2b-4a63-9a1e-0c3b7f1f1e01")), work.uuid());
        assertEquals(Optional.of(VirtMode.PVH), work.type());
        assertEquals(List.of(
                new XlListJson.Disk("xvda", "/var/lib/bulkhead/work/root-snap.qcow2", Optional.empty(), true),
                new XlListJson.Disk("xvdi", "/dev/sdb", Optional.of("sys-usb"), false)), work.disks());
        assertEquals(List.of(new XlListJson.Nic("00:16:3e:5e:6c:00", "10.137.0.5", Optional.of("sys-firewall"))),
                work.nics());

        XlListJson.Domain net = domains.get("sys-net");
        assertEquals(Optional.of(VirtMode.HVM), net.type());
        assertEquals(List.of("0000:00:14.0", "0000:03:00.1"), net.pci(), "libxl leaves zero fields out");
        assertEquals(false, net.disks().get(1).readWrite(), "no readwrite key means read-only");
    }

    @Test
    void emptyAndMalformedJson() {
        assertEquals(Map.of(), XlListJson.parse(mapper, ""));
        assertEquals(Map.of(), XlListJson.parse(mapper, "[]\n"));
        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class,
                () -> XlListJson.parse(mapper, "libxl: error: cannot init xl context"));
        assertTrue(notJson.getMessage().contains("did not print JSON"), notJson.getMessage());
        IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
                () -> XlListJson.parse(mapper, "[{\"domid\": 3, \"config\": {\"c_info\": {}}}]"));
        assertTrue(noName.getMessage().contains("c_info.name"), noName.getMessage());
    }
}
