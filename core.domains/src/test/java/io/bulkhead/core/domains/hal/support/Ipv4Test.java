package io.bulkhead.core.domains.hal.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv4Test {

    @Test
    void dottedQuadsParseToTheirBytes() {
        assertArrayEquals(new int[] {10, 137, 0, 5}, Ipv4.parse("10.137.0.5").orElseThrow());
        assertArrayEquals(new int[] {0, 0, 0, 0}, Ipv4.parse("0.0.0.0").orElseThrow());
        assertArrayEquals(new int[] {255, 255, 255, 255}, Ipv4.parse("255.255.255.255").orElseThrow());
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : List.of("", "10.137.0", "10.137.0.256", "010.1.1.1", "10.137.0.5 init=/bin/sh", "10.137.0.5,x",
                "1.2.3.4.5", "fd09:24ef:4179::a89:5", " 1.2.3.4", "1.2.3.4\n", "1000.1.1.1")) {
            assertFalse(Ipv4.isValid(bad), bad);
        }
        assertFalse(Ipv4.isValid(null));
    }
}
