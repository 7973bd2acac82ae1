package io.bulkhead.hal.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bulkhead.core.domains.hal.ChannelSpec;
import io.bulkhead.core.domains.hal.DomainChannel;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.DomainStateListener;
import io.bulkhead.core.qrexec.internal.DomainChannelAdapter;
import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.protocol.LittleEndian;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Shared fixtures of the tests: the real agent jar, specs, finding agent processes, the hello. */
final class TestQubes {

    static final Duration WAIT = Duration.ofSeconds(20);

    private TestQubes() {
    }

    /** The shaded agent jar surefire names (built by the agent module before this one). */
    static Path agentJar() {
        String jar = System.getProperty(LocalSettings.AGENT_JAR_PROPERTY);
        assertNotNull(jar, "system property " + LocalSettings.AGENT_JAR_PROPERTY + " is not set (surefire sets it)");
        Path path = Path.of(jar);
        assertTrue(Files.isRegularFile(path), "the agent jar " + path
                + " does not exist: build it with `mvn -B -o -q install -pl agent -DskipTests`");
        return path;
    }

    /** A backend whose run directory is {@code runDir}, running the real agent. */
    static LocalHypervisor backend(Path runDir, Map<String, ?> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.put("runDir", runDir.toString());
        config.putIfAbsent("agentJar", agentJar().toString());
        return LocalHypervisor.create(config, key -> null);
    }

    static LocalHypervisor backend(Path runDir) {
        return backend(runDir, Map.of());
    }

    static DomainSpec.Builder spec(String name, Path scratch) {
        return DomainSpec.builder(name, UUID.randomUUID(), scratch.resolve("core-run").resolve(name))
                .channel(ChannelSpec.QREXEC).channel(ChannelSpec.QUBESDB);
    }

    /** The agent process of the qube whose socket is {@code qrexecSocket}, among this JVM's children. */
    static Optional<ProcessHandle> agentProcess(Path qrexecSocket) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(args -> Arrays.asList(args).contains(qrexecSocket.toString()))
                        .orElse(false))
                .findFirst();
    }

    static ProcessHandle requireAgentProcess(Path qrexecSocket) {
        return agentProcess(qrexecSocket).orElseThrow(() -> new AssertionError("no agent process with " + qrexecSocket));
    }

    /** Linux process state letter from /proc ({@code T} = stopped). */
    static char procState(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Opens the mux link as dom0 over {@code channel} and reads the agent's first control message.
     *
     * @return the protocol version in the agent's MSG_HELLO
     */
    /**
     * Plays dom0's side of the control hellos, as dom0 does on connecting (the agent answers once
     * dom0's first bytes arrive, and sets up its qrexec-client-vm socket after the exchange).
     *
     * @return the protocol version of the agent's hello
     */
    static int exchangeHellos(DomainChannel channel) throws IOException {
        MuxLink link = MuxLink.open(new DomainChannelAdapter(channel), MuxLink.Role.HOST, MuxConfig.DEFAULT, channel.domain());
        try {
            link.start();
            link.control().write(Message.hello(ProtocolVersion.CURRENT));
            Message hello = link.control().read(WAIT.toMillis());
            assertNotNull(hello, "the agent closed the control stream before its hello");
            assertEquals(MessageType.HELLO, hello.type(), "first control message: " + MessageType.name(hello.type()));
            assertEquals(4, hello.payload().length, "peer_info is one uint32");
            return LittleEndian.getInt(hello.payload(), 0);
        } finally {
            link.close();
        }
    }

    /** One state change seen by {@link Recorder}. */
    record Event(String domain, DomainState state, String reason) {
    }

    /** Records every state change a backend reports. */
    static final class Recorder implements DomainStateListener {
        final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public void stateChanged(String domain, DomainState newState, String reason) {
            events.add(new Event(domain, newState, reason));
        }

        /** Waits for the first event of {@code domain} entering {@code state}. */
        Event await(String domain, DomainState state) throws InterruptedException {
            TestQubes.await(domain + " to enter " + state + " (events: " + events + ")",
                    () -> events.stream().anyMatch(e -> e.domain().equals(domain) && e.state() == state));
            return events.stream().filter(e -> e.domain().equals(domain) && e.state() == state).findFirst().orElseThrow();
        }

        List<DomainState> states(String domain) {
            return events.stream().filter(e -> e.domain().equals(domain)).map(Event::state).toList();
        }
    }
}
