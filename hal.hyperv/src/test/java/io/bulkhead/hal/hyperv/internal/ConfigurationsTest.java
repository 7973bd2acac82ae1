package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.support.MetatypeConfigurations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationsTest {

    @Test
    void defaultsAreLocalHyperVWithTheLinuxVsockPortsOfQubes() {
        HypervConfiguration config = MetatypeConfigurations.of(HypervConfiguration.class, Map.of());
        assertEquals("", config.powershell());
        assertEquals("", config.remoteComputer());
        assertEquals("session", config.remoteMode());
        assertEquals("", config.vhdxDirectory());
        assertEquals("bulkhead-", config.switchNamePrefix());
        assertEquals(HvSocketAddress.linuxVsockService(512).toString(), config.qrexecServiceGuid(),
                "qrexec: vchan/vsock port 512 as in Qubes");
        assertEquals(HvSocketAddress.linuxVsockService(111).toString(), config.qubesdbServiceGuid(),
                "QubesDB: port 111 as in Qubes");
        assertEquals("off", config.secureBoot());
        assertFalse(config.pciPassthrough());
    }

    @Test
    void givenValuesAreConvertedAndBadNumbersNameTheKey() {
        HypervConfiguration config = MetatypeConfigurations.of(HypervConfiguration.class, Map.of("remoteUseSsl", "true",
                "scriptTimeoutSeconds", "30"));
        assertTrue(config.remoteUseSsl());
        assertEquals(30, config.scriptTimeoutSeconds());
        HypervConfiguration bad = MetatypeConfigurations.of(HypervConfiguration.class, Map.of("statePollSeconds", "often"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::statePollSeconds);
        assertTrue(e.getMessage().contains("statePollSeconds") && e.getMessage().contains("often"), e.getMessage());
    }
}
