package io.bulkhead.agent.internal;

import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.CommandLine;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.ExitStatus;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import io.bulkhead.core.qrexec.transport.DeviceChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code --train}: one run of the agent's real start path, against a dom0 played in this
 * process, so that a JVM started with {@code -XX:ArchiveClassesAtExit} archives the classes the
 * agent needs up to and through its hello and first commands (the template builder does this
 * in the guest's root tree: a class-data archive saves their loading and verification at every
 * cold start, which costs seconds under TCG).
 *
 * <p>The agent runs as configured, except that it connects to the played dom0 over a unix
 * socket (the real transport is opened once as well, on {@code /dev/null}, for its classes),
 * serves only that connection, and keeps its client socket in a temporary directory. The played
 * dom0 answers the hello, then runs shell commands as {@value #USER} (one spawned on demand, one
 * in the warm shell the first leaves behind) and checks their output and exit status.
 */
final class TrainingRun {
    static final String USER = "root";
    private static final long TIMEOUT_MILLIS = 120_000;
    private static final int COMMANDS = 3;

    private TrainingRun() {
    }

    /** @return 0 when the agent served the hello and every command as expected */
    static int run(AgentConfig config, Log log) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bulkhead-agent-train");
        try {
            Path socket = dir.resolve("dom0");
            AgentConfig training = new AgentConfig(null, socket, config.rpcDirs(), dir.resolve("qrexec-agent"),
                    config.userSwitch(), true, config.prewarm(), config.warmUsers(), config.logLevel());
            DeviceChannel.open(Path.of("/dev/null")).close();
            try (UnixSocketServer server = UnixSocketServer.bind(socket); Agent agent = new Agent(training, log)) {
                AtomicReference<Throwable> agentFailure = new AtomicReference<>();
                Thread agentThread = new Thread(() -> {
                    try {
                        agent.run();
                    } catch (Exception e) {
                        agentFailure.set(e);
                    }
                }, "training-agent");
                agentThread.start();
                try (UnixSocketChannel channel = server.accept()) {
                    playDom0(channel);
                }
                agentThread.join(TIMEOUT_MILLIS);
                if (agentThread.isAlive()) {
                    throw new IOException("the agent did not end after the played dom0 went away");
                }
                if (agentFailure.get() != null) {
                    throw new IOException("the agent failed: " + agentFailure.get(), agentFailure.get());
                }
            }
            log.info("training run done: hello and " + COMMANDS + " commands");
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void playDom0(UnixSocketChannel channel) throws IOException {
        MuxLink link = MuxLink.open(channel, MuxLink.Role.HOST, MuxConfig.DEFAULT, "training");
        try {
            link.start();
            Message hello = link.control().read(TIMEOUT_MILLIS);
            if (hello == null || hello.type() != MessageType.HELLO) {
                throw new IOException("expected the agent's hello, got " + hello);
            }
            link.control().write(Message.hello(ProtocolVersion.CURRENT));
            for (int i = 0; i < COMMANDS; i++) {
                String token = "trained" + i;
                String out = exec(link, "echo " + token);
                if (!out.equals(token + "\n")) {
                    throw new IOException("'echo " + token + "' printed '" + out.strip() + "'");
                }
            }
        } finally {
            link.close();
        }
    }

    /**
     * Runs {@code command} as {@link #USER} as dom0 does (its hello before the request, the end of
     * an empty stdin right after: see core.qrexec's {@code RemoteProcessImpl}), so the archive
     * holds the classes of the path real calls take; returns its stdout, fails unless it exits 0.
     */
    private static String exec(MuxLink link, String command) throws IOException {
        MuxStream stream = link.openStream();
        stream.write(Message.hello(ProtocolVersion.CURRENT));
        link.control().write(new Message(MessageType.EXEC_CMDLINE,
                new ExecParams(0, stream.id(), CommandLine.shell(USER, command)).encode()));
        stream.write(Message.eof(MessageType.DATA_STDIN));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Integer status = null;
        Message m;
        while (status == null && (m = stream.read(TIMEOUT_MILLIS)) != null) {
            switch (m.type()) {
                case MessageType.HELLO:
                    break;
                case MessageType.DATA_STDOUT:
                    stdout.write(m.payload());
                    break;
                case MessageType.DATA_STDERR:
                    break;
                case MessageType.DATA_EXIT_CODE:
                    status = ExitStatus.decode(m.payload());
                    break;
                default:
                    throw new IOException("unexpected " + MessageType.name(m.type()) + " on the data stream");
            }
        }
        stream.close();
        Message terminated = link.control().read(TIMEOUT_MILLIS);
        if (terminated == null || terminated.type() != MessageType.CONNECTION_TERMINATED) {
            throw new IOException("expected MSG_CONNECTION_TERMINATED, got " + terminated);
        }
        if (status == null || status != 0) {
            throw new IOException("'" + command + "' ended with status " + status);
        }
        return new String(stdout.toByteArray(), StandardCharsets.UTF_8);
    }
}
