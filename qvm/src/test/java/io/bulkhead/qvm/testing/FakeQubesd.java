package io.bulkhead.qvm.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scripted qubesd on a unix socket for tests: records every request exactly as received and answers from a
 * script keyed by {@code method+arg dest}; an unscripted call is answered with a ProtocolError and recorded, so a
 * test sees it in {@link #requests()}.
 */
public final class FakeQubesd implements AutoCloseable {

    /** One request as it arrived. */
    public record Request(String method, String argument, String source, String destType, String destination, String payload) {
        /** @return {@code method+arg dest}, or {@code method+arg dest payload} when there is a payload */
        @Override
        public String toString() {
            return method + "+" + argument + " " + destination + (payload.isEmpty() ? "" : " " + payload);
        }
    }

    /** Writes an answer; may stream. */
    @FunctionalInterface
    public interface Responder {
        void respond(Request request, OutputStream out) throws IOException;
    }

    private final Path directory;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<byte[]> rawRequests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Responder> script = new ConcurrentHashMap<>();

    public FakeQubesd() throws IOException {
        directory = Files.createTempDirectory("qvm-fake");
        socket = directory.resolve("qubesd.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = new Thread(this::accept, "fake-qubesd");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public Path socket() {
        return socket;
    }

    // ---- answers ----------------------------------------------------------------------------

    /** {@code 0\0value}. */
    public static byte[] ok(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('0');
        out.write(0);
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** {@code 2\0Type\0\0message\0}. */
    public static byte[] error(String type, String message) {
        return ("2\0" + type + "\0\0" + message + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** Answers {@code method+arg dest} with {@code answer}. */
    public FakeQubesd on(String method, String argument, String destination, byte[] answer) {
        return on(method, argument, destination, (request, out) -> out.write(answer));
    }

    public FakeQubesd on(String method, String argument, String destination, Responder responder) {
        script.put(method + "+" + argument + " " + destination, responder);
        return this;
    }

    /** Success answer with {@code value}. */
    public FakeQubesd ok(String method, String argument, String destination, String value) {
        return on(method, argument, destination, ok(value));
    }

    /** Success answer with {@code value} to an argument-less call. */
    public FakeQubesd ok(String method, String destination, String value) {
        return ok(method, "", destination, value);
    }

    // ---- what arrived -----------------------------------------------------------------------

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** @return the requests as {@link Request#toString()} lines, in arrival order */
    public List<String> calls() {
        return requests().stream().map(Request::toString).toList();
    }

    public List<byte[]> rawRequests() {
        synchronized (rawRequests) {
            return List.copyOf(rawRequests);
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread worker = new Thread(() -> serve(client), "fake-qubesd-conn");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            byte[] raw = Channels.newInputStream(client).readAllBytes();
            rawRequests.add(raw);
            Request request = parse(raw);
            requests.add(request);
            OutputStream out = Channels.newOutputStream(client);
            Responder responder = script.get(request.method() + "+" + request.argument() + " " + request.destination());
            if (responder == null) {
                out.write(error("ProtocolError", "unscripted call in test: " + request));
            } else {
                responder.respond(request, out);
            }
            out.flush();
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /** {@code method+arg source type dest\0payload}; a malformed header is recorded with the raw text as method. */
    private static Request parse(byte[] raw) {
        int nul = 0;
        while (nul < raw.length && raw[nul] != 0) {
            nul++;
        }
        String header = new String(raw, 0, nul, StandardCharsets.US_ASCII);
        String payload = nul < raw.length ? new String(raw, nul + 1, raw.length - nul - 1, StandardCharsets.UTF_8) : "";
        String[] fields = header.split(" ", -1);
        if (fields.length != 4) {
            return new Request(header, "", "", "", "", payload);
        }
        int plus = fields[0].indexOf('+');
        String method = plus < 0 ? fields[0] : fields[0].substring(0, plus);
        String argument = plus < 0 ? "" : fields[0].substring(plus + 1);
        return new Request(method, argument, fields[1], fields[2], fields[3], payload);
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(2000);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
