package io.bulkhead.core.admin.internal.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * qubesd responses: {@code 0\0value} (success), {@code 1\0subject\0event\0(key\0value\0)*\0}
 * (one streamed event), {@code 2\0Type\0traceback\0message\0} (error).
 */
public final class ResponseEncoder {

    private ResponseEncoder() {
    }

    /** @return a success response carrying {@code value} (UTF-8) */
    public static byte[] success(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('0');
        out.write(0);
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** @return an error response; the traceback field stays empty as in qubesd without --debug */
    public static byte[] error(String type, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('2');
        out.write(0);
        field(out, type);
        field(out, "");
        field(out, message == null ? "" : message);
        return out.toByteArray();
    }

    /** @return one event frame; {@code subject} is {@code ""} for app-level events */
    public static byte[] event(String subject, String event, Map<String, String> arguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('1');
        out.write(0);
        field(out, subject);
        field(out, event);
        for (Map.Entry<String, String> argument : arguments.entrySet()) {
            field(out, argument.getKey());
            field(out, argument.getValue());
        }
        out.write(0);
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String text) {
        // a NUL inside a field would shift every later field for the client
        out.writeBytes(text.replace('\0', '_').getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }
}
