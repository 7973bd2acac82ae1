package io.bulkhead.core.admin.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;

class RequestDecoderTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodesTheQubesTestExample() {
        AdminRequest request = RequestDecoder.decode(bytes("mgmt.success+arg src name dest\0payload"));
        assertEquals("mgmt.success", request.method());
        assertEquals("arg", request.argument());
        assertEquals("src", request.source());
        assertEquals("dest", request.destination());
        assertEquals("payload", request.payloadText());
    }

    @Test
    void keywordAdminvmMeansDom0() {
        AdminRequest request = RequestDecoder.decode(bytes("admin.vm.List src keyword adminvm\0"));
        assertEquals("dom0", request.destination());
        assertTrue(request.toAdminVm());
        assertEquals("", request.argument());
    }

    @Test
    void theClientAlwaysSendsAPlusEvenWithoutArgument() {
        AdminRequest request = RequestDecoder.decode(bytes("admin.vm.List+ dom0 name dom0\0"));
        assertEquals("admin.vm.List", request.method());
        assertEquals("", request.argument());
    }

    @Test
    void argumentKeepsLaterPlusSigns() {
        AdminRequest request = RequestDecoder.decode(bytes("admin.vm.Shutdown+force+wait dom0 name work\0"));
        assertEquals("force+wait", request.argument());
    }

    @Test
    void payloadIsBinarySafeAndMayContainNul() {
        byte[] payload = {1, 0, (byte) 0xff, 0, 7};
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes(bytes("admin.vm.volume.Import+private dom0 name work\0"));
        raw.writeBytes(payload);
        assertArrayEquals(payload, RequestDecoder.decode(raw.toByteArray()).payload());
    }

    @Test
    void uuidDestinationIsKeptForLookup() {
        String uuid = "uuid:4a3f1c2e-0000-4000-8000-000000000001";
        assertEquals(uuid, RequestDecoder.decode(bytes("admin.vm.List dom0 name " + uuid + "\0")).destination());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "admin.vm.List dom0 name dom0",            // no NUL
        "admin.vm.List dom0 name\0",               // three fields
        "admin.vm.List dom0 name dom0 extra\0",    // five fields
        "admin.vm.List  name dom0\0",              // empty source
        "+arg dom0 name dom0\0",                   // empty method
        "admin.vm.List dom0 keyword sys-net\0",    // unknown keyword
        "admin.vm.List dom0 label dom0\0",         // unknown dest type
        "admin.vm.List dom0 name \0",              // empty destination
        "admin.vm.List dom0\tname dom0\0",         // control character in header
    })
    void malformedHeadersAreProtocolErrors(String raw) {
        assertThrows(ProtocolError.class, () -> RequestDecoder.decode(bytes(raw)));
    }

    @Test
    void nonAsciiHeaderIsRefused() {
        ProtocolError error = assertThrows(ProtocolError.class,
                () -> RequestDecoder.decode("admin.vm.List dom0 name wörk\0".getBytes(StandardCharsets.UTF_8)));
        assertTrue(error.getMessage().contains("printable ASCII"), error.getMessage());
    }

    @Test
    void oversizedRequestIsRefused() {
        byte[] big = new byte[RequestDecoder.MAX_REQUEST_BYTES + 1];
        System.arraycopy(bytes("a b name c\0"), 0, big, 0, 11);
        assertThrows(ProtocolError.class, () -> RequestDecoder.decode(big));
    }

    @Test
    void invalidUtf8PayloadIsAProtocolErrorWhenReadAsText() {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes(bytes("admin.vm.property.Set+label dom0 name work\0"));
        raw.write(0xc3);
        AdminRequest request = RequestDecoder.decode(raw.toByteArray());
        assertThrows(ProtocolError.class, request::payloadText);
    }
}
