package io.bulkhead.qvm.client;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the answer of {@code bulkhead.vm.Run} / {@code bulkhead.vm.RunService} (proposed framing, needs server
 * support): {@code 0\0} then frames {@code KIND LENGTH(4 bytes, big endian) DATA}, KIND being {@code O} (stdout
 * bytes), {@code E} (stderr bytes), {@code X} (exit code as ASCII decimal; last frame) or {@code F} (failure after
 * start: {@code Type\0message}; last frame). An error before the command starts is a plain qubesd error answer.
 */
public final class RunStream {
    /** Frame kinds. */
    public static final byte STDOUT = 'O';
    public static final byte STDERR = 'E';
    public static final byte EXIT = 'X';
    public static final byte FAILURE = 'F';
    /** Largest frame accepted, to fail clearly on a garbled stream instead of allocating gigabytes. */
    static final int MAX_FRAME = 1 << 24;

    private RunStream() {
    }

    /**
     * Copies the command's output as it arrives.
     *
     * @param answer raw answer, header included
     * @param stdout where stdout frames go ({@code null}: discarded)
     * @param stderr where stderr frames go ({@code null}: discarded)
     * @return the command's exit code
     * @throws QubesCallException for an error answer, a failure frame, or a stream that ends before the exit code
     */
    public static int copy(InputStream answer, OutputStream stdout, OutputStream stderr) throws IOException {
        char kind = QubesdProtocol.readHeader(answer);
        if (kind == '2') {
            throw QubesdProtocol.readError(answer);
        }
        if (kind != '0') {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "Invalid response format for a command run");
        }
        DataInputStream in = new DataInputStream(answer);
        while (true) {
            int frame = in.read();
            if (frame < 0) {
                throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR,
                        "qubesd closed the command's output before its exit code");
            }
            byte[] data;
            try {
                int length = in.readInt();
                if (length < 0 || length > MAX_FRAME) {
                    throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "invalid frame length " + length);
                }
                data = in.readNBytes(length);
                if (data.length != length) {
                    throw new EOFException();
                }
            } catch (EOFException e) {
                throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "command output cut inside a frame");
            }
            switch (frame) {
                case STDOUT -> write(stdout, data);
                case STDERR -> write(stderr, data);
                case EXIT -> {
                    return exitCode(data);
                }
                case FAILURE -> throw failure(data);
                default -> throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR,
                        "unknown frame kind " + frame + " in command output");
            }
        }
    }

    private static void write(OutputStream out, byte[] data) throws IOException {
        if (out != null) {
            out.write(data);
            out.flush();
        }
    }

    private static int exitCode(byte[] data) {
        String text = new String(data, StandardCharsets.US_ASCII);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "invalid exit code '" + text + "'");
        }
    }

    private static QubesCallException failure(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        int nul = text.indexOf('\0');
        return nul < 0 ? new QubesCallException(QubesCallException.QUBES_EXCEPTION, text)
                : new QubesCallException(text.substring(0, nul), text.substring(nul + 1));
    }
}
