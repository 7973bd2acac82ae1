package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent's hello is the first message of a call's stream, whether deferred or not, with any number of writers. */
class RepliesTest {
    private MuxLink host;
    private MuxLink guest;

    @BeforeEach
    void link() throws Exception {
        Path dir = Files.createTempDirectory("replies");
        Path sock = dir.resolve("s");
        try (UnixSocketServer server = UnixSocketServer.bind(sock)) {
            CompletableFuture<MuxLink> guestSide = CompletableFuture.supplyAsync(() -> {
                try {
                    return MuxLink.open(UnixSocketChannel.connect(sock), MuxLink.Role.GUEST, MuxConfig.DEFAULT, "guest");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            host = MuxLink.open(server.accept(), MuxLink.Role.HOST, MuxConfig.DEFAULT, "host");
            guest = guestSide.get(10, TimeUnit.SECONDS);
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
        host.start();
        guest.start();
    }

    @AfterEach
    void close() {
        host.close();
        guest.close();
    }

    @Test
    void theHelloComesFirstAndADeferredOneGoesOutWithTheFirstMessage() throws Exception {
        for (int round = 0; round < 40; round++) {
            boolean deferred = round % 2 == 0;
            MuxStream hostSide = host.openStream();
            MuxStream guestSide = guest.stream(hostSide.id());
            Replies out = new Replies(guestSide, Message.hello(3));
            if (deferred) {
                out.deferHello();
            }
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int type : new int[] {MessageType.DATA_STDOUT, MessageType.DATA_STDERR}) {
                writers.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < 20; i++) {
                            byte[] b = ("m" + i).getBytes(StandardCharsets.UTF_8);
                            out.write(type, b, 0, b.length);
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (CompletableFuture<Void> w : writers) {
                w.get(10, TimeUnit.SECONDS);
            }
            out.finish(Message.exitCode(0));
            assertEquals(Message.hello(3), hostSide.read(5000), "round " + round + ": the hello comes first");
            int data = 0;
            Message m;
            while ((m = hostSide.read(5000)) != null && m.type() != MessageType.DATA_EXIT_CODE) {
                data++;
            }
            assertEquals(40, data, "round " + round);
            assertEquals(MessageType.DATA_EXIT_CODE, m.type());
            hostSide.close();
        }
    }

    @Test
    void aWriterComingWhileTheDeferredHelloIsBeingWrittenWaitsForIt() throws Exception {
        List<Message> written = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch inFirstWrite = new java.util.concurrent.CountDownLatch(1);
        Replies out = new Replies(new Replies.Stream() {
            @Override
            public void write(Message m) {
                written.add(m);
            }

            @Override
            public void write(int type, byte[] b, int off, int len) {
                written.add(new Message(type, java.util.Arrays.copyOfRange(b, off, off + len)));
            }

            @Override
            public void writeAll(Message... messages) throws java.io.InterruptedIOException {
                inFirstWrite.countDown();
                try {
                    Thread.sleep(300); // a slow port: the other writer arrives meanwhile
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                written.addAll(List.of(messages));
            }

            @Override
            public void finish(Message... last) {
                written.addAll(List.of(last));
            }
        }, Message.hello(3));
        out.deferHello();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
            try {
                out.write(Message.eof(MessageType.DATA_STDOUT));
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(true, inFirstWrite.await(5, TimeUnit.SECONDS));
        out.write(Message.eof(MessageType.DATA_STDERR));
        first.get(5, TimeUnit.SECONDS);
        assertEquals(List.of(Message.hello(3), Message.eof(MessageType.DATA_STDOUT), Message.eof(MessageType.DATA_STDERR)), written);
    }

    @Test
    void aHelloNotSentYetGoesOutWithTheEnd() throws Exception {
        MuxStream hostSide = host.openStream();
        Replies out = new Replies(guest.stream(hostSide.id()), Message.hello(3));
        out.deferHello();
        out.finish(Message.exitCode(7));
        assertEquals(Message.hello(3), hostSide.read(5000));
        assertEquals(Message.exitCode(7), hostSide.read(5000));
        hostSide.close();
    }
}
