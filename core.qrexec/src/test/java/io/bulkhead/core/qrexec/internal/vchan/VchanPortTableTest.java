package io.bulkhead.core.qrexec.internal.vchan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Port allocation as qrexec-daemon's allocate_vchan_port / release_vchan_port. */
class VchanPortTableTest {

    @Test
    void dom0PortsAreTheLowestFreeFrom513UpTo768() {
        VchanPortTable t = new VchanPortTable(5);
        for (int i = 0; i < 256; i++) {
            assertEquals(513 + i, t.allocate(0));
        }
        assertEquals(0, t.allocate(0), "all 256 in use");
        assertTrue(t.release(600, 0));
        assertTrue(t.release(530, 0));
        assertEquals(530, t.allocate(0));
        assertEquals(600, t.allocate(0));
        assertEquals(256, t.inUse());
    }

    @Test
    void aReleaseMustNameTheDomainThePortWasAllocatedFor() {
        VchanPortTable t = new VchanPortTable(5);
        assertEquals(513, t.allocate(0));
        assertFalse(t.release(513, 7));
        assertFalse(t.release(514, 0), "never allocated");
        assertTrue(t.release(513, 0));
        assertFalse(t.release(513, 0), "already free");
        assertThrows(IllegalArgumentException.class, () -> t.release(512, 0));
        assertThrows(IllegalArgumentException.class, () -> t.release(769, 0));
    }

    @Test
    void betweenTwoQubesEachDaemonUsesOneParity() {
        VchanPortTable five = new VchanPortTable(5);
        assertEquals(513, five.allocate(3), "peer below: even indices");
        assertEquals(515, five.allocate(3));
        assertEquals(514, five.allocate(7), "peer above: odd indices");
        assertEquals(516, five.allocate(7));
        assertEquals(517, five.allocate(0), "dom0: any free index");
        VchanPortTable three = new VchanPortTable(3);
        assertEquals(514, three.allocate(5), "the other daemon of the pair takes the other parity");
        for (int i = 1; i < 128; i++) {
            assertEquals(514 + 2 * i, three.allocate(5));
        }
        assertEquals(0, three.allocate(5), "128 ports per direction");
        assertEquals(513, three.allocate(1));
    }
}
