package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class LinkSwitchTest {

    private static final UUID NETVM = UUID.fromString("c0ffee00-1111-2222-3333-444455556666");

    @Test
    void namesAreReadableUniquePerPairAndStable() {
        LinkSwitch a = LinkSwitch.of("bulkhead-", "sys-firewall", "work", NETVM, Backends.uplink("sys-firewall",
                "00:16:3e:5e:6c:05"));
        assertTrue(a.name().matches("bulkhead-sys-firewall-work-[0-9a-f]{8}"), a.name());
        assertEquals(a, LinkSwitch.of("bulkhead-", "sys-firewall", "work", NETVM, Backends.uplink("sys-firewall",
                "00:16:3e:5e:6c:05")));
        // names that sanitise alike still get different switches
        LinkSwitch b = LinkSwitch.of("bulkhead-", "sys firewall", "work", NETVM, Backends.uplink("x", "00:16:3e:5e:6c:05"));
        LinkSwitch c = LinkSwitch.of("bulkhead-", "sys_firewall", "work", NETVM, Backends.uplink("x", "00:16:3e:5e:6c:05"));
        assertNotEquals(b.name(), c.name());
        String longName = "a".repeat(60);
        assertEquals("bulkhead-".length() + 20 + 1 + 20 + 1 + 8,
                LinkSwitch.of("bulkhead-", longName, longName, NETVM, Backends.uplink("x", "00:16:3e:5e:6c:05")).name()
                        .length());
    }

    @Test
    void macsTakeHyperVFormAndTheNetvmSideIsLocallyAdministered() {
        LinkSwitch link = LinkSwitch.of("p-", "n", "c", NETVM, Backends.uplink("n", "00:16:3e:5e:6c:05"));
        assertEquals("00163E5E6C05", link.clientMac());
        assertEquals("02163E5E6C04", link.netvmMac());
        assertEquals("Bulkhead link to netvm " + NETVM + "; netvm-side MAC 02163E5E6C04", link.notes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinkSwitch.hyperVMac("00-16-3e-5e-6c-05"));
        assertTrue(e.getMessage().contains("'00-16-3e-5e-6c-05'"), e.getMessage());
    }
}
