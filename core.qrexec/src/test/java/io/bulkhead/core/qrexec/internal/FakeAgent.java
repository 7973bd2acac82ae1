package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A scripted agent: a guest-side mux link the test drives message by message. */
final class FakeAgent {
    final MuxLink link;
    final Message daemonHello;

    private FakeAgent(MuxLink link, Message daemonHello) {
        this.link = link;
        this.daemonHello = daemonHello;
    }

    /** Connects to {@code daemon} as {@code qube}, says hello with {@code version}. */
    static FakeAgent connect(QrexecDaemon daemon, String qube, int domainId, int version) throws Exception {
        Path dir = Files.createTempDirectory("fake-agent");
        Path sock = dir.resolve("s");
        try (UnixSocketServer server = UnixSocketServer.bind(sock)) {
            CompletableFuture<Void> attached = CompletableFuture.runAsync(() -> {
                try {
                    daemon.attach(qube, domainId, server.accept());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            MuxLink link = MuxLink.open(UnixSocketChannel.connect(sock), MuxLink.Role.GUEST, MuxConfig.DEFAULT, qube + "-agent");
            link.start();
            link.control().write(Message.hello(version));
            Message hello = link.control().read(5000);
            attached.get(5, TimeUnit.SECONDS);
            return new FakeAgent(link, hello);
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    void send(int type, byte[] payload) throws Exception {
        link.control().write(new Message(type, payload));
    }

    /** Reads the next control message from dom0. */
    Message next() throws Exception {
        return link.control().read(5000);
    }
}
