package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.support.SocketChannelStreams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Client of the QEMU Machine Protocol on a unix socket.
 *
 * <p>{@link #open} reads the greeting and negotiates capabilities. Commands carry an {@code id}
 * so answers are matched even when events arrive in between; one reader thread parses the stream
 * and hands events to the listener given at open (on that thread: keep it short). Safe for
 * concurrent callers.
 */
final class QmpClient implements Closeable {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final ObjectMapper mapper;
    private final SocketChannel channel;
    private final OutputStream output;
    private final Consumer<QmpEvent> events;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final String label;

    private QmpClient(ObjectMapper mapper, SocketChannel channel, Consumer<QmpEvent> events, String label) {
        this.mapper = mapper;
        this.channel = channel;
        this.output = SocketChannelStreams.output(channel);
        this.events = events;
        this.label = label;
    }

    /**
     * Connects to an already listening QMP socket, waits for the greeting and leaves
     * capabilities negotiation mode.
     *
     * @param label names the peer in thread names and errors (the domain name)
     */
    static QmpClient open(Path socket, ObjectMapper mapper, Consumer<QmpEvent> events, String label, Duration timeout)
            throws IOException {
        return open(UnixSockets.connect(socket), mapper, events, label, timeout);
    }

    /** Like {@link #open(Path, ObjectMapper, Consumer, String, Duration)} on a connected channel. */
    static QmpClient open(SocketChannel connected, ObjectMapper mapper, Consumer<QmpEvent> events, String label,
            Duration timeout) throws IOException {
        QmpClient client = new QmpClient(mapper, connected, events, label);
        Thread reader = new Thread(client::readLoop, "qmp-" + label);
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode hello = await(client.greeting, timeout, "greeting from " + label);
            if (!hello.has("QMP")) {
                throw new QmpException("QMP peer " + label + " sent no greeting but " + hello, null);
            }
            client.execute("qmp_capabilities", null, timeout);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Runs a command without arguments; see {@link #execute(String, ObjectNode, Duration)}. */
    JsonNode execute(String command) throws IOException {
        return execute(command, null, DEFAULT_TIMEOUT);
    }

    /** Runs a command with arguments given as a map (values converted by Jackson). */
    JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        return execute(command, mapper.valueToTree(arguments), DEFAULT_TIMEOUT);
    }

    /**
     * Runs a command and returns its {@code return} member.
     *
     * @throws QmpException when QEMU answers with an error, the connection closes, or no answer
     *                      comes within {@code timeout}
     */
    JsonNode execute(String command, ObjectNode arguments, Duration timeout) throws IOException {
        String id = Long.toString(nextId.incrementAndGet());
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("execute", command);
        if (arguments != null && !arguments.isEmpty()) {
            request.set("arguments", arguments);
        }
        request.put("id", id);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            if (closed.isDone()) {
                throw new QmpException("QMP connection to " + label + " is closed; cannot run " + command, null);
            }
            byte[] line = (mapper.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (output) {
                output.write(line);
            }
            JsonNode response = await(answer, timeout, command + " on " + label);
            JsonNode error = response.get("error");
            if (error != null) {
                throw new QmpException(command, error.path("class").asText("?"), error.path("desc").asText(""));
            }
            return response.path("return");
        } finally {
            pending.remove(id);
        }
    }

    /** @return whether the connection is still open */
    boolean isOpen() {
        return !closed.isDone();
    }

    /** Completes when the connection closes (QEMU exited or {@link #close()}). */
    CompletableFuture<Void> closedFuture() {
        return closed;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket: nothing left to do
        }
        finish(new QmpException("QMP connection to " + label + " closed", null));
    }

    private void readLoop() {
        try (InputStream input = SocketChannelStreams.input(channel);
                MappingIterator<JsonNode> messages = mapper.readerFor(JsonNode.class).readValues(input)) {
            while (messages.hasNextValue()) {
                dispatch(messages.nextValue());
            }
            finish(new QmpException("QMP connection to " + label + " closed by QEMU", null));
        } catch (JsonProcessingException e) {
            finish(new QmpException("malformed QMP data from " + label + ": " + e.getOriginalMessage(), e));
        } catch (IOException | RuntimeException e) {
            finish(new QmpException("QMP connection to " + label + " failed: " + e.getMessage(), e));
        }
    }

    private void dispatch(JsonNode message) {
        if (!greeting.isDone()) {
            greeting.complete(message);
            return;
        }
        if (message.has("event")) {
            JsonNode stamp = message.path("timestamp");
            Instant when = Instant.ofEpochSecond(stamp.path("seconds").asLong(), stamp.path("microseconds").asLong() * 1000);
            JsonNode data = message.has("data") ? message.get("data") : JsonNodeFactory.instance.objectNode();
            try {
                events.accept(new QmpEvent(message.get("event").asText(), data, when));
            } catch (RuntimeException e) {
                // A faulty listener must not kill the reader; the event is lost for it only.
                System.getLogger("io.bulkhead.hal.kvm").log(System.Logger.Level.WARNING,
                        "QMP event listener of " + label + " failed", e);
            }
            return;
        }
        CompletableFuture<JsonNode> answer = pending.get(message.path("id").asText(""));
        if (answer != null) {
            answer.complete(message);
        }
        // An answer nobody waits for (timed out earlier) is dropped.
    }

    private void finish(QmpException cause) {
        greeting.completeExceptionally(cause);
        pending.values().forEach(answer -> answer.completeExceptionally(cause));
        closed.complete(null);
    }

    private static JsonNode await(CompletableFuture<JsonNode> future, Duration timeout, String what) throws QmpException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof QmpException qmp) {
                throw new QmpException(qmp.getMessage() + " (waiting for " + what + ")", qmp);
            }
            throw new QmpException("failed waiting for " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new QmpException("no answer to " + what + " within " + timeout.toMillis() + " ms", e);
        }
    }
}
