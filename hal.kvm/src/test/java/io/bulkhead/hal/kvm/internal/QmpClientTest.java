package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QmpClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<QmpEvent> events = new CopyOnWriteArrayList<>();

    @Test
    void negotiatesCapabilitiesBeforeAnyCommand() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"));
                QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "test", TIMEOUT)) {
            assertTrue(client.isOpen());
            assertEquals("qmp_capabilities", server.received().get(0).path("execute").asText());
        }
    }

    @Test
    void returnsTheReturnMemberAndSendsArguments() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("query-status", args -> server.ok(mapper.createObjectNode().put("status", "running")));
            server.on("migrate", args -> server.ok(mapper.createObjectNode().put("echoed", args.path("uri").asText())));
            try (QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "test", TIMEOUT)) {
                assertEquals("running", client.execute("query-status").path("status").asText());
                JsonNode migrate = client.execute("migrate", Map.of("uri", "unix:/x.sock"));
                assertEquals("unix:/x.sock", migrate.path("echoed").asText());
                JsonNode sent = server.received().get(2);
                assertEquals("migrate", sent.path("execute").asText());
                assertEquals("unix:/x.sock", sent.path("arguments").path("uri").asText());
                assertTrue(sent.has("id"), "commands carry an id so answers can be matched");
            }
        }
    }

    @Test
    void commandWithoutArgumentsHasNoArgumentsMember() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("stop", args -> server.ok(mapper.createObjectNode()));
            try (QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "test", TIMEOUT)) {
                client.execute("stop");
                assertFalse(server.received().get(1).has("arguments"));
            }
        }
    }

    @Test
    void errorReplyBecomesQmpExceptionWithClassAndDescription() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("cont", args -> server.error("GenericError", "Migration is not finalized yet"));
            try (QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "work", TIMEOUT)) {
                QmpException e = assertThrows(QmpException.class, () -> client.execute("cont"));
                assertEquals("GenericError", e.errorClass());
                assertTrue(e.getMessage().contains("cont") && e.getMessage().contains("Migration is not finalized yet"),
                        e.getMessage());
                QmpException unknown = assertThrows(QmpException.class, () -> client.execute("no-such-command"));
                assertEquals("CommandNotFound", unknown.errorClass());
            }
        }
    }

    @Test
    void eventsBetweenCommandAndAnswerReachTheListenerAndDoNotConfuseTheAnswer() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("system_powerdown", args -> {
                try {
                    server.sendEvent("POWERDOWN", null);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return server.ok(mapper.createObjectNode());
            });
            try (QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "test", TIMEOUT)) {
                assertTrue(client.execute("system_powerdown").isObject());
                server.sendEvent("SHUTDOWN", mapper.createObjectNode().put("guest", true).put("reason", "guest-shutdown"));
                awaitEvents(2);
                assertEquals("POWERDOWN", events.get(0).name());
                assertEquals("SHUTDOWN", events.get(1).name());
                assertTrue(events.get(1).data().path("guest").asBoolean());
                assertEquals(1700000000L, events.get(1).timestamp().getEpochSecond());
                assertEquals(250_000_000, events.get(1).timestamp().getNano());
                assertTrue(events.get(0).data().isObject(), "absent data is an empty object");
            }
        }
    }

    @Test
    void concurrentCommandsGetTheirOwnAnswers() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("echo", args -> server.ok(args.path("value")));
            try (QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "test", TIMEOUT)) {
                int threads = 8;
                CountDownLatch done = new CountDownLatch(threads);
                List<String> failures = new CopyOnWriteArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    new Thread(() -> {
                        try {
                            for (int i = 0; i < 50; i++) {
                                String value = id + "-" + i;
                                String got = client.execute("echo", Map.of("value", value)).asText();
                                if (!got.equals(value)) {
                                    failures.add("sent " + value + " got " + got);
                                }
                            }
                        } catch (IOException e) {
                            failures.add(e.toString());
                        } finally {
                            done.countDown();
                        }
                    }).start();
                }
                assertTrue(done.await(20, TimeUnit.SECONDS));
                assertEquals(List.of(), failures);
            }
        }
    }

    @Test
    void peerClosingFailsPendingAndLaterCommands() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("quit", args -> {
                try {
                    server.dropClient();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "work", TIMEOUT);
            QmpException e = assertThrows(QmpException.class, () -> client.execute("quit"));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            client.closedFuture().get(5, TimeUnit.SECONDS);
            assertFalse(client.isOpen());
            assertThrows(QmpException.class, () -> client.execute("query-status"));
        }
    }

    @Test
    void unansweredCommandTimesOut() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("hang", args -> null);
            try (QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "work", TIMEOUT)) {
                QmpException e = assertThrows(QmpException.class,
                        () -> client.execute("hang", null, Duration.ofMillis(200)));
                assertTrue(e.getMessage().contains("no answer to hang on work"), e.getMessage());
            }
        }
    }

    @Test
    void rejectsAPeerThatIsNotQmp() throws Exception {
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            Path socket = dir.resolve("notqmp.sock");
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            Thread peer = new Thread(() -> {
                try (var channel = server.accept()) {
                    channel.write(java.nio.ByteBuffer.wrap("{\"hello\": 1}\n".getBytes()));
                    Thread.sleep(1000);
                } catch (IOException | InterruptedException ignored) {
                    // test over
                }
            });
            peer.start();
            QmpException e = assertThrows(QmpException.class,
                    () -> QmpClient.open(socket, mapper, events::add, "x", TIMEOUT));
            assertTrue(e.getMessage().contains("no greeting"), e.getMessage());
        }
    }

    @Test
    void malformedDataClosesTheClientWithAClearError() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"))) {
            server.on("bad", args -> {
                try {
                    server.sendRaw("{\"return\": [1, 2\r\n}}}\r\n");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            QmpClient client = QmpClient.open(server.socket(), mapper, events::add, "work", TIMEOUT);
            QmpException e = assertThrows(QmpException.class, () -> client.execute("bad"));
            assertTrue(e.getMessage().contains("malformed QMP data from work"), e.getMessage());
            client.close();
        }
    }

    private void awaitEvents(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(count, events.size(), "events received: " + events);
    }
}
