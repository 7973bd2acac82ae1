package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.support.SocketChannelStreams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A QMP server on a unix socket for tests: sends the greeting, answers commands through a
 * handler (command name + arguments -> reply object: {@code {"return":...}} or
 * {@code {"error":...}}, or {@code null} for no answer), echoes ids, records what it received,
 * and can push events.
 */
final class FakeQmpServer implements AutoCloseable {

    private final ObjectMapper mapper = new ObjectMapper();
    private final ServerSocketChannel server;
    private final Path socket;
    private final Map<String, Function<JsonNode, ObjectNode>> handlers = new ConcurrentHashMap<>();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private volatile OutputStream client;
    private volatile SocketChannel clientChannel;
    private final Thread thread;

    FakeQmpServer(Path socket) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        handlers.put("qmp_capabilities", args -> ok(mapper.createObjectNode()));
        thread = new Thread(this::serve, "fake-qmp");
        thread.setDaemon(true);
        thread.start();
    }

    Path socket() {
        return socket;
    }

    /** Sets the reply for {@code command}. */
    FakeQmpServer on(String command, Function<JsonNode, ObjectNode> handler) {
        handlers.put(command, handler);
        return this;
    }

    ObjectNode ok(JsonNode value) {
        ObjectNode reply = mapper.createObjectNode();
        reply.set("return", value);
        return reply;
    }

    ObjectNode error(String errorClass, String description) {
        ObjectNode reply = mapper.createObjectNode();
        ObjectNode error = reply.putObject("error");
        error.put("class", errorClass);
        error.put("desc", description);
        return reply;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    List<JsonNode> received() {
        return received;
    }

    /** Sends an event line to the connected client. */
    void sendEvent(String name, JsonNode data) throws IOException {
        ObjectNode event = mapper.createObjectNode();
        event.put("event", name);
        if (data != null) {
            event.set("data", data);
        }
        event.putObject("timestamp").put("seconds", 1700000000).put("microseconds", 250000);
        sendRaw(mapper.writeValueAsString(event) + "\r\n");
    }

    synchronized void sendRaw(String text) throws IOException {
        client.write(text.getBytes(StandardCharsets.UTF_8));
        client.flush();
    }

    /** Closes the connection to the client (QEMU exiting). */
    void dropClient() throws IOException {
        if (clientChannel != null) {
            clientChannel.close();
        }
    }

    private void serve() {
        try (SocketChannel channel = server.accept()) {
            clientChannel = channel;
            client = SocketChannelStreams.output(channel);
            sendRaw("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"fake\"},"
                    + " \"capabilities\": [\"oob\"]}}\r\n");
            BufferedReader lines = new BufferedReader(new InputStreamReader(SocketChannelStreams.input(channel),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode request = mapper.readTree(line);
                received.add(request);
                String command = request.path("execute").asText();
                Function<JsonNode, ObjectNode> handler = handlers.get(command);
                ObjectNode reply = handler == null ? error("CommandNotFound", "The command " + command + " has not been found")
                        : handler.apply(request.path("arguments"));
                if (reply != null) {
                    if (request.has("id")) {
                        reply.set("id", request.get("id"));
                    }
                    sendRaw(mapper.writeValueAsString(reply) + "\r\n");
                }
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropClient();
    }
}
