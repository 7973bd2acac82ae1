package io.bulkhead.core.qrexec.mux;

import io.bulkhead.core.qrexec.transport.QrexecChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** Two connected unix-socket channels, as dom0 and a guest see them. */
final class ChannelPair {
    final QrexecChannel host;
    final QrexecChannel guest;

    private ChannelPair(QrexecChannel host, QrexecChannel guest) {
        this.host = host;
        this.guest = guest;
    }

    static ChannelPair open() throws IOException {
        Path dir = Files.createTempDirectory("mux");
        Path sock = dir.resolve("s");
        try (UnixSocketServer server = UnixSocketServer.bind(sock)) {
            CompletableFuture<UnixSocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            UnixSocketChannel guest = UnixSocketChannel.connect(sock);
            return new ChannelPair(accepted.join(), guest);
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /** Opens both link ends (the guest end on another thread) and starts their readers. */
    static MuxLink[] links(MuxConfig config) throws Exception {
        ChannelPair p = open();
        CompletableFuture<MuxLink> guest = CompletableFuture.supplyAsync(() -> {
            try {
                return MuxLink.open(p.guest, MuxLink.Role.GUEST, config, "guest");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        MuxLink host = MuxLink.open(p.host, MuxLink.Role.HOST, config, "host");
        MuxLink g = guest.join();
        host.start();
        g.start();
        return new MuxLink[] {host, g};
    }
}
