package io.bulkhead.core.qrexec.emulator;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Byte-level helpers of the test-side Qubes agent: the message values of {@code libqrexec/qrexec.h}
 * and the little-endian structs, written again here on purpose so the emulator shares nothing
 * with the code it tests.
 */
public final class Wire {
    public static final int MSG_EXEC_CMDLINE = 0x200;
    public static final int MSG_JUST_EXEC = 0x201;
    public static final int MSG_SERVICE_CONNECT = 0x202;
    public static final int MSG_SERVICE_REFUSED = 0x203;
    public static final int MSG_CONNECTION_TERMINATED = 0x211;
    public static final int MSG_TRIGGER_SERVICE4 = 0x213;
    public static final int MSG_HELLO = 0x300;
    public static final int MSG_DATA_STDIN = 0x190;
    public static final int MSG_DATA_STDOUT = 0x191;
    public static final int MSG_DATA_STDERR = 0x192;
    public static final int MSG_DATA_EXIT_CODE = 0x193;

    private Wire() {
    }

    /** A message with {@code struct msg_header { uint32 type; uint32 len; }} in front. */
    public static byte[] message(int type, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(type).putInt(payload.length).put(payload).array();
    }

    public static byte[] hello(int version) {
        return message(MSG_HELLO, le32(version));
    }

    public static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    public static int le32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** {@code struct exec_params} without command: domain, port. */
    public static byte[] execParams(int domain, int port) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(domain).putInt(port).array();
    }

    /** {@code trigger_service_params4}: source[64] (empty), target[64], ident[32], then the NUL-terminated service. */
    public static byte[] trigger4(String target, String ident, String service) {
        byte[] svc = service.getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[160 + svc.length + 1];
        put(p, 64, target);
        put(p, 128, ident);
        System.arraycopy(svc, 0, p, 160, svc.length);
        return p;
    }

    private static void put(byte[] dst, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, dst, off, b.length);
    }

    /** @return the NUL-terminated string at {@code off} (up to {@code end}) */
    public static String cString(byte[] b, int off, int end) {
        int i = off;
        while (i < end && b[i] != 0) {
            i++;
        }
        return new String(b, off, i - off, StandardCharsets.UTF_8);
    }

    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    /** @return {@code n} bytes, or {@code null} on end of stream before the first one */
    static byte[] readExactly(SocketChannel ch, int n, ByteArrayOutputStream record) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                if (buf.position() == 0) {
                    return null;
                }
                throw new EOFException("stream ended after " + buf.position() + " of " + n + " bytes");
            }
        }
        if (record != null) {
            synchronized (record) {
                record.write(buf.array(), 0, n);
            }
        }
        return buf.array();
    }

    /** One message as {type, payload}, or {@code null} at end of stream. */
    static Object[] readMessage(SocketChannel ch, ByteArrayOutputStream record) throws IOException {
        byte[] h = readExactly(ch, 8, record);
        if (h == null) {
            return null;
        }
        int len = le32(h, 4);
        if (len < 0 || len > 1 << 20) {
            throw new IOException("implausible length " + len);
        }
        byte[] p = len == 0 ? new byte[0] : readExactly(ch, len, record);
        if (p == null) {
            throw new EOFException("stream ended before the payload");
        }
        return new Object[] {le32(h, 0), p};
    }

    static void writeAll(SocketChannel ch, byte[] b, ByteArrayOutputStream record) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        if (record != null) {
            synchronized (record) {
                record.write(b, 0, b.length);
            }
        }
    }

    /** As libvchan-socket's client: retry while the socket is missing or refuses, here up to {@code millis}. */
    static SocketChannel connectRetrying(Path path, long millis) throws IOException, InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(path));
                return ch;
            } catch (SocketException e) { // ConnectException (refused) or "No such file"
                ch.close();
                if (System.nanoTime() > end) {
                    throw new IOException("nobody listens on " + path, e);
                }
                Thread.sleep(2);
            }
        }
    }
}
