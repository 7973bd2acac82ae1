package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.support.SocketChannelStreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketsTest {

    @TempDir
    Path dir;

    @Test
    void aBlockedReaderDoesNotBlockAWriterOnTheSameChannel() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (SocketChannel client = UnixSockets.connect(path); SocketChannel peer = server.accept()) {
                InputStream in = SocketChannelStreams.input(client);
                CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.read();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(100); // the reader is now blocked in read()
                OutputStream out = SocketChannelStreams.output(client);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        out.write("hello".getBytes());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                writer.get(2, TimeUnit.SECONDS);
                InputStream peerIn = SocketChannelStreams.input(peer);
                assertEquals('h', peerIn.read());
                SocketChannelStreams.output(peer).write('x');
                assertEquals('x', reader.get(2, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void closingTheChannelEndsABlockedReadWithEndOfStream() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SocketChannel client = UnixSockets.connect(path);
            try (SocketChannel peer = server.accept()) {
                InputStream in = SocketChannelStreams.input(client);
                CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.read(new byte[10], 0, 10);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(100);
                client.close();
                assertEquals(-1, reader.get(2, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void connectWithRetryGivesUpWhenTheOwnerIsGone() {
        IOException e = assertThrows(IOException.class,
                () -> UnixSockets.connectWithRetry(dir.resolve("never.sock"), Duration.ofSeconds(10), () -> false));
        assertTrue(e.getMessage().contains("owner is gone"), e.getMessage());
        IOException timeout = assertThrows(IOException.class,
                () -> UnixSockets.connectWithRetry(dir.resolve("never.sock"), Duration.ofMillis(100), () -> true));
        assertTrue(timeout.getMessage().contains("within 100 ms"), timeout.getMessage());
    }
}
