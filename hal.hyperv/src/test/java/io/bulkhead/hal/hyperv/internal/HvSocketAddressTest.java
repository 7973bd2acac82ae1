package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class HvSocketAddressTest {

    @Test
    void sockaddrHvLaysOutFamilyReservedAndTwoWindowsGuids() {
        byte[] address = HvSocketAddress.encode(UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"),
                UUID.fromString("00000200-facb-11e6-bd58-64006a7986d3"));
        assertArrayEquals(new byte[] {
            34, 0, 0, 0,
            0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, (byte) 0x88, (byte) 0x99, (byte) 0xaa, (byte) 0xbb,
            (byte) 0xcc, (byte) 0xdd, (byte) 0xee, (byte) 0xff,
            0x00, 0x02, 0x00, 0x00, (byte) 0xcb, (byte) 0xfa, (byte) 0xe6, 0x11, (byte) 0xbd, 0x58, 0x64, 0x00, 0x6a,
            0x79, (byte) 0x86, (byte) 0xd3}, address);
        assertEquals(36, address.length);
    }

    @Test
    void linuxGuestsAreReachedThroughTheVsockTemplateGuid() {
        assertEquals(UUID.fromString("00000200-facb-11e6-bd58-64006a7986d3"), HvSocketAddress.linuxVsockService(512));
        assertEquals(UUID.fromString("00000ac9-facb-11e6-bd58-64006a7986d3"), HvSocketAddress.linuxVsockService(2761));
        assertThrows(IllegalArgumentException.class, () -> HvSocketAddress.linuxVsockService(-1));
    }
}
