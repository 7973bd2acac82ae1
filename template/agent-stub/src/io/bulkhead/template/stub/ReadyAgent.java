package io.bulkhead.template.stub;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;

/**
 * Stand-in guest agent, used by the template builder until the real agent jar is given.
 *
 * <p>Each time the host connects to the virtio-serial port it writes one line
 * {@value #READY_MARKER}, then echoes every byte it receives until the host disconnects. A write
 * to a virtio-serial port blocks until the host side is connected, and a read returns end of file
 * while it is not, so "write the marker, then echo until EOF" announces every new connection
 * (cold boot, and again after a snapshot restore).
 *
 * <p>usage: {@code java -jar agent.jar --port /dev/virtio-ports/qrexec}
 */
public final class ReadyAgent {

    /** Line written on every new host connection. */
    public static final String READY_MARKER = "BULKHEAD-AGENT-READY";

    private ReadyAgent() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String port = portArgument(args);
        byte[] marker = (READY_MARKER + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[65536];
        try (RandomAccessFile channel = new RandomAccessFile(port, "rw")) {
            System.out.println("bulkhead-agent-stub: serving " + port);
            while (true) {
                channel.write(marker);
                echoUntilHostLeaves(channel, buffer);
                // The host went away; avoid spinning while the port reports EOF.
                Thread.sleep(20);
            }
        }
    }

    private static void echoUntilHostLeaves(RandomAccessFile channel, byte[] buffer) throws IOException {
        int n;
        while ((n = channel.read(buffer)) > 0) {
            channel.write(buffer, 0, n);
        }
    }

    private static String portArgument(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                return args[i + 1];
            }
        }
        String fromEnv = System.getenv("BULKHEAD_AGENT_PORT");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        System.err.println("usage: ReadyAgent --port /dev/virtio-ports/NAME (or BULKHEAD_AGENT_PORT)");
        System.exit(2);
        return null;
    }
}
