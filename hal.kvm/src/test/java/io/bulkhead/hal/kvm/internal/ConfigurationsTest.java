package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.support.MetatypeConfigurations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationsTest {

    @Test
    void missingKeysTakeTheDefaultsAndGivenOnesAreConverted() {
        KvmConfiguration config = MetatypeConfigurations.of(KvmConfiguration.class, Map.of("probeTimeoutSeconds", "3",
                "accelerator", "tcg"));
        assertEquals(3, config.probeTimeoutSeconds());
        assertEquals("tcg", config.accelerator());
        assertEquals("qemu-system-x86_64", config.qemuBinary());
        assertEquals("bulkhead-qemu", config.runAsUser());
        assertEquals(KvmConfiguration.class, config.annotationType());
    }

    @Test
    void badNumbersNameTheKey() {
        KvmConfiguration config = MetatypeConfigurations.of(KvmConfiguration.class, Map.of("startTimeoutSeconds", "soon"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::startTimeoutSeconds);
        assertTrue(e.getMessage().contains("startTimeoutSeconds") && e.getMessage().contains("soon"), e.getMessage());
    }
}
