package io.bulkhead.core.admin.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ResponseEncoderTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void successIsZeroNulValue() {
        assertEquals("0\0default=False type=int 400", text(ResponseEncoder.success("default=False type=int 400")));
        assertEquals("0\0", text(ResponseEncoder.success("")));
    }

    @Test
    void errorHasTypeEmptyTracebackAndMessage() {
        assertEquals("2\0QubesException\0\0qubes-exception\0", text(ResponseEncoder.error("QubesException", "qubes-exception")));
    }

    @Test
    void eventFrameListsKeywordArgumentsAndEndsWithAnExtraNul() {
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("name", "netvm");
        arguments.put("newvalue", "sys-firewall");
        assertEquals("1\0work\0property-set:netvm\0name\0netvm\0newvalue\0sys-firewall\0\0",
                text(ResponseEncoder.event("work", "property-set:netvm", arguments)));
        assertEquals("1\0\0connection-established\0\0", text(ResponseEncoder.event("", "connection-established", Map.of())));
    }

    @Test
    void nulInsideAFieldCannotShiftTheFrame() {
        assertEquals("2\0QubesValueError\0\0bad_value\0", text(ResponseEncoder.error("QubesValueError", "bad\0value")));
    }
}
