package io.bulkhead.core.domains.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkTest {

    @ParameterizedTest
    @CsvSource({"2,10.137.0.2", "254,10.137.0.254", "255,10.137.1.1", "508,10.137.1.254", "509,10.137.2.1",
        "9999,10.137.39.93"})
    void qubesAddressExamples(int qid, String ip) {
        assertEquals(ip, Network.vmidToIpv4("10.137", qid));
    }

    @Test
    void neverProducesNetworkOrBroadcastOctet() {
        for (int id = 255; id < 10000; id++) {
            String last = Network.vmidToIpv4("10.137", id).substring(Network.vmidToIpv4("10.137", id).lastIndexOf('.') + 1);
            int octet = Integer.parseInt(last);
            assertTrue(octet >= 1 && octet <= 254, "id " + id);
        }
    }

    @Test
    void ipv4Validation() {
        assertTrue(Network.isIpv4("10.137.0.2"));
        assertFalse(Network.isIpv4("10.137.0.256"));
        assertFalse(Network.isIpv4("10.137.0"));
        assertFalse(Network.isIpv4("a.b.c.d"));
    }
}
