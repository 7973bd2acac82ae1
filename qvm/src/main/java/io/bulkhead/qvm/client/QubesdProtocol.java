package io.bulkhead.qvm.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The qubesd wire format seen from a dom0 client (R4.1+): request {@code method+arg dom0 name dest\0payload};
 * answers {@code 0\0value}, {@code 2\0Type\0traceback\0message\0[args\0...]}, or nothing at all when qubesd failed.
 */
public final class QubesdProtocol {

    /** qubesd aborts requests larger than this (header and payload together). */
    public static final int MAX_REQUEST_BYTES = 65536;
    /** What qubesadmin says when qubesd answers nothing. */
    public static final String EMPTY_RESPONSE = "Got empty response from qubesd. See journalctl in dom0 for details.";

    private QubesdProtocol() {
    }

    /**
     * @return the request bytes as {@code qubesadmin.QubesLocal} sends them (the {@code +} always present)
     * @throws QubesCallException (QubesValueError) when a header field cannot travel in the header
     */
    public static byte[] request(String destination, String method, String argument, byte[] payload) {
        checkHeaderField("method", method, false);
        checkHeaderField("argument", argument, true);
        checkHeaderField("destination", destination, false);
        byte[] header = (method + "+" + argument + " dom0 name " + destination + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] body = payload == null ? new byte[0] : payload;
        if (header.length + body.length > MAX_REQUEST_BYTES) {
            throw new QubesCallException("QubesValueError", method + ": request of " + (header.length + body.length)
                    + " bytes exceeds the qubesd limit of " + MAX_REQUEST_BYTES + " bytes");
        }
        byte[] request = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, request, header.length, body.length);
        return request;
    }

    private static void checkHeaderField(String what, String value, boolean mayBeEmpty) {
        if (value == null || (!mayBeEmpty && value.isEmpty())) {
            throw new QubesCallException("QubesValueError", "empty " + what + " in an Admin API call");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c > 0x7e) {
                throw new QubesCallException("QubesValueError", "invalid " + what + " '" + value
                        + "': the qubesd header takes printable ASCII without spaces");
            }
        }
    }

    /**
     * @param response the whole answer of a non-streaming call
     * @return the value of a success answer
     * @throws QubesCallException for an error answer, an empty answer or an unreadable one
     */
    public static byte[] parse(byte[] response) {
        if (response.length == 0) {
            throw new QubesCallException(QubesCallException.DAEMON_ACCESS_ERROR, EMPTY_RESPONSE);
        }
        if (response.length >= 2 && response[1] == 0 && response[0] == '0') {
            return Arrays.copyOfRange(response, 2, response.length);
        }
        if (response.length >= 2 && response[1] == 0 && response[0] == '2') {
            throw error(splitFields(response, 2));
        }
        throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "Invalid response format");
    }

    /**
     * Reads the rest of an error answer whose {@code 2\0} header was already consumed.
     *
     * @return the error to throw
     */
    public static QubesCallException readError(InputStream in) throws IOException {
        return error(splitFields(in.readAllBytes(), 0));
    }

    /**
     * Reads the two header bytes of a streamed answer.
     *
     * @return {@code '0'}, {@code '1'} or {@code '2'}
     * @throws QubesCallException for an empty or unreadable answer
     */
    public static char readHeader(InputStream in) throws IOException {
        int kind = in.read();
        if (kind < 0) {
            throw new QubesCallException(QubesCallException.DAEMON_ACCESS_ERROR, EMPTY_RESPONSE);
        }
        int nul = in.read();
        if (nul != 0 || (kind != '0' && kind != '1' && kind != '2')) {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "Invalid response format");
        }
        return (char) kind;
    }

    /**
     * Reads one NUL-terminated field.
     *
     * @throws EOFException when the stream ends inside the field
     */
    public static String readField(InputStream in) throws IOException {
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        for (int b = in.read(); b != 0; b = in.read()) {
            if (b < 0) {
                throw new EOFException("qubesd answer ends inside a field");
            }
            field.write(b);
        }
        return field.toString(StandardCharsets.UTF_8);
    }

    private static List<String> splitFields(byte[] bytes, int from) {
        List<String> fields = new ArrayList<>();
        int start = from;
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                fields.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            fields.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return fields;
    }

    /** Fields: type, traceback, message format, then optional %-arguments. */
    private static QubesCallException error(List<String> fields) {
        String type = fields.isEmpty() ? "" : fields.get(0);
        String format = fields.size() > 2 ? fields.get(2) : "";
        List<String> args = fields.size() > 3 ? fields.subList(3, fields.size()) : List.of();
        return new QubesCallException(type, args.isEmpty() ? format : substitute(format, args));
    }

    /** Python's {@code format % args} for the conversions qubesd messages use (%s, %d, %r, %%). */
    static String substitute(String format, List<String> args) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char conversion = format.charAt(++i);
            if (conversion == '%') {
                out.append('%');
            } else if ((conversion == 's' || conversion == 'd' || conversion == 'i' || conversion == 'r') && next < args.size()) {
                String arg = args.get(next++);
                out.append(conversion == 'r' ? "'" + arg + "'" : arg);
            } else {
                out.append('%').append(conversion);
            }
        }
        return out.toString();
    }
}
