package io.bulkhead.agent.internal;

import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageReader;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.protocol.ServiceParams;
import io.bulkhead.core.qrexec.protocol.TriggerServiceParams;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The in-qube socket for {@code qrexec-client-vm} (Qubes' {@code /var/run/qubes/qrexec-agent}).
 * A client sends one trigger message (v3 or v4 layout; its ident is replaced by the agent's
 * {@code SOCKET<n>}); the agent forwards it to dom0 and answers the client with dom0's
 * {@code MSG_SERVICE_REFUSED} or {@code MSG_SERVICE_CONNECT}, after which the socket carries the
 * call's data messages (the client is the caller side), relayed to the mux stream dom0 named.
 */
final class ClientListener implements AutoCloseable {
    private static final long ANSWER_TIMEOUT_MILLIS = 600_000;

    private final Path path;
    private final ExecutorService pool;
    private final Log log;
    private final Supplier<GuestSession> session;
    private final Map<String, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();
    private UnixSocketServer server;

    /** dom0's answer: refused, or the stream and peer domain to use. */
    private record Answer(boolean refused, int domain, int port, GuestSession session) {
    }

    ClientListener(Path path, ExecutorService pool, Log log, Supplier<GuestSession> session) {
        this.path = path;
        this.pool = pool;
        this.log = log;
        this.session = session;
    }

    void start() throws IOException {
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        server = UnixSocketServer.bind(path);
        Thread t = new Thread(this::acceptLoop, "qrexec-client-listener");
        t.setDaemon(true);
        t.start();
        log.info("qrexec-client-vm socket at " + path);
    }

    private void acceptLoop() {
        while (true) {
            UnixSocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            pool.execute(() -> serve(client));
        }
    }

    private void serve(UnixSocketChannel client) {
        String ident = "SOCKET" + counter.incrementAndGet();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        try (client) {
            MessageReader reader = new MessageReader(client.input());
            Message m = reader.read();
            if (m == null) {
                return;
            }
            if (m.type() != MessageType.TRIGGER_SERVICE3 && m.type() != MessageType.TRIGGER_SERVICE4) {
                throw new ProtocolException("client sent " + m + ", expected a trigger");
            }
            TriggerServiceParams.Decoded d = TriggerServiceParams.decode(m.type(), m.payload());
            GuestSession s = session.get();
            if (!d.isValid() || s == null || !s.isOpen()) {
                log.warn(!d.isValid() ? "refusing client request: " + d.problem() : "refusing client request: dom0 not connected");
                refuse(client.output(), ident);
                return;
            }
            TriggerServiceParams p = d.params();
            pending.put(ident, answer);
            s.trigger(new TriggerServiceParams(p.sourceDomain(), p.targetDomain(), ident, p.serviceName()));
            log.debug("requested " + p.serviceName() + " on '" + p.targetDomain() + "' as " + ident);
            Answer a = answer.get(ANSWER_TIMEOUT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (a.refused()) {
                refuse(client.output(), ident);
                return;
            }
            relay(client, reader, ident, a);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn(ident + ": no answer from dom0");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | IOException e) {
            log.debug(ident + ": " + e.getMessage());
        } finally {
            pending.remove(ident);
        }
    }

    private static void refuse(OutputStream out, String ident) throws IOException {
        new Message(MessageType.SERVICE_REFUSED, ServiceParams.encode(ident)).writeTo(out);
        out.flush();
    }

    private void relay(UnixSocketChannel client, MessageReader reader, String ident, Answer a) throws IOException {
        MuxStream stream = a.session().stream(a.port());
        try {
            OutputStream out = client.output();
            new Message(MessageType.SERVICE_CONNECT, ExecParams.encodeServiceConnect(a.domain(), a.port(), ident)).writeTo(out);
            out.flush();
            pool.execute(() -> {
                boolean forwarding = true;
                try {
                    Message m;
                    while ((m = reader.read()) != null) {
                        if (forwarding) {
                            try {
                                stream.write(m);
                            } catch (IOException e) {
                                if (!stream.isAbortedByPeer()) {
                                    throw e;
                                }
                                // the service side stopped reading: drop the rest, the exit status still comes
                                forwarding = false;
                            }
                        }
                    }
                    stream.end();
                } catch (IOException e) {
                    stream.abort();
                }
            });
            Message m;
            while ((m = stream.read()) != null) {
                m.writeTo(out);
                out.flush();
            }
            out.close();
        } catch (IOException e) {
            stream.abort();
            throw e;
        } finally {
            stream.close();
            a.session().connectionTerminated(a.domain(), a.port());
        }
    }

    /** dom0 connected the call {@code ident} to stream {@code port}. */
    void connected(String ident, int domain, int port, GuestSession s) throws IOException {
        CompletableFuture<Answer> f = pending.get(ident);
        if (f == null) {
            log.warn("MSG_SERVICE_CONNECT for unknown request '" + ident + "'");
            // the client is gone: take the stream and drop it so dom0 can release the id
            s.stream(port).close();
            return;
        }
        f.complete(new Answer(false, domain, port, s));
    }

    /** dom0 refused the call {@code ident}. */
    void refused(String ident) {
        CompletableFuture<Answer> f = pending.get(ident);
        if (f == null) {
            log.warn("MSG_SERVICE_REFUSED for unknown request '" + ident + "'");
            return;
        }
        f.complete(new Answer(true, 0, 0, null));
    }

    /** The link to dom0 ended: every waiting client is refused. */
    void refuseAll() {
        pending.values().forEach(f -> f.complete(new Answer(true, 0, 0, null)));
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}
