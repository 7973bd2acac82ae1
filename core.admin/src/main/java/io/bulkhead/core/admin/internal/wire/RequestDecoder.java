package io.bulkhead.core.admin.internal.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;

/**
 * Decodes the R4.1+ qubesd request: {@code method[+arg] SP source SP name|keyword SP dest NUL payload}.
 * The header is printable ASCII; the keyword destination {@code adminvm} means dom0.
 */
public final class RequestDecoder {

    /** qubesd aborts requests larger than this, header and payload together. */
    public static final int MAX_REQUEST_BYTES = 65536;

    private RequestDecoder() {
    }

    /**
     * @param request the whole request as sent before the client's half-close
     * @return the decoded request
     * @throws ProtocolError naming what is malformed
     */
    public static AdminRequest decode(byte[] request) {
        if (request.length > MAX_REQUEST_BYTES) {
            throw new ProtocolError("request too large: " + request.length + " bytes (limit " + MAX_REQUEST_BYTES + ")");
        }
        int nul = indexOf(request, (byte) 0);
        if (nul < 0) {
            throw new ProtocolError("malformed request: no NUL byte after the header");
        }
        for (int i = 0; i < nul; i++) {
            int b = request[i] & 0xff;
            if (b < 0x20 || b > 0x7e) {
                throw new ProtocolError("malformed request: header byte " + i + " is not printable ASCII");
            }
        }
        String header = new String(request, 0, nul, StandardCharsets.US_ASCII);
        String[] fields = header.split(" ", -1);
        if (fields.length != 4) {
            throw new ProtocolError("malformed request header '" + header + "': expected 'method+arg source dest-type dest'");
        }
        String methodAndArg = fields[0];
        int plus = methodAndArg.indexOf('+');
        String method = plus < 0 ? methodAndArg : methodAndArg.substring(0, plus);
        String argument = plus < 0 ? "" : methodAndArg.substring(plus + 1);
        if (method.isEmpty()) {
            throw new ProtocolError("malformed request header: empty method name");
        }
        String source = fields[1];
        if (source.isEmpty()) {
            throw new ProtocolError("malformed request header: empty source");
        }
        String destination = destination(fields[2], fields[3]);
        byte[] payload = Arrays.copyOfRange(request, nul + 1, request.length);
        return new AdminRequest(method, argument, source, destination, payload);
    }

    private static String destination(String type, String value) {
        switch (type) {
            case "name":
                if (value.isEmpty()) {
                    throw new ProtocolError("malformed request header: empty destination");
                }
                return value;
            case "keyword":
                if (!"adminvm".equals(value)) {
                    throw new ProtocolError("unknown destination keyword '" + value + "' (only 'adminvm')");
                }
                return "dom0";
            default:
                throw new ProtocolError("unknown destination type '" + type + "' (expected 'name' or 'keyword')");
        }
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
