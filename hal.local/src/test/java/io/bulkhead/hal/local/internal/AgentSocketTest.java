package io.bulkhead.hal.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listening socket on its own, with plain client connections standing in for the agent. */
class AgentSocketTest {

    @TempDir
    Path tmp;

    @Test
    void newestConnectionIsHandedOutAndOlderOnesAreDropped() throws Exception {
        try (AgentSocket socket = AgentSocket.listen(tmp.resolve("q.sock"), "work");
                SocketChannel older = connect(socket.path());
                SocketChannel newer = connect(socket.path())) {
            newer.write(ByteBuffer.wrap(new byte[] {42}));
            older.configureBlocking(false);
            TestQubes.await("both connections accepted", () -> readsEndOfStream(older));

            try (SocketChannel taken = socket.take(Duration.ofSeconds(5), () -> true)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                taken.read(one);
                assertEquals(42, one.get(0));
            }
            assertFalse(socket.hasPending());
        }
    }

    @Test
    void takeWaitsForTheAgentToConnect() throws Exception {
        try (AgentSocket socket = AgentSocket.listen(tmp.resolve("q.sock"), "work")) {
            CompletableFuture<SocketChannel> taken = CompletableFuture.supplyAsync(() -> {
                try {
                    return socket.take(Duration.ofSeconds(10), () -> true);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(100);
            assertFalse(taken.isDone());
            try (SocketChannel agent = connect(socket.path())) {
                taken.get(5, TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void takeGivesUpWhenTheAgentIsGoneOrTheTimeoutPasses() throws Exception {
        try (AgentSocket socket = AgentSocket.listen(tmp.resolve("q.sock"), "work")) {
            IOException gone = assertThrows(IOException.class, () -> socket.take(Duration.ofSeconds(10), () -> false));
            assertTrue(gone.getMessage().contains("exited"), gone.getMessage());
            IOException late = assertThrows(IOException.class, () -> socket.take(Duration.ofMillis(100), () -> true));
            assertTrue(late.getMessage().contains("did not connect"), late.getMessage());
        }
    }

    @Test
    void takeIsInterruptible() throws Exception {
        try (AgentSocket socket = AgentSocket.listen(tmp.resolve("q.sock"), "work")) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    socket.take(Duration.ofSeconds(30), () -> true);
                    outcome.complete(null);
                } catch (IOException e) {
                    outcome.complete(e);
                }
                flagKept.complete(Thread.currentThread().isInterrupted());
            });
            waiter.start();
            Thread.sleep(100);
            waiter.interrupt();
            assertInstanceOf(InterruptedIOException.class, outcome.get(5, TimeUnit.SECONDS));
            assertTrue(flagKept.get(5, TimeUnit.SECONDS), "the interrupt flag stays set");
            // the socket still works afterwards
            try (SocketChannel agent = connect(socket.path())) {
                socket.take(Duration.ofSeconds(5), () -> true).close();
            }
        }
    }

    @Test
    void closeWakesWaitersAndRemovesTheSocketFile() throws Exception {
        AgentSocket socket = AgentSocket.listen(tmp.resolve("q.sock"), "work");
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                socket.take(Duration.ofSeconds(30), () -> true);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(100);
        socket.close();
        Throwable e = outcome.get(5, TimeUnit.SECONDS);
        assertTrue(e != null && e.getMessage().contains("closed"), String.valueOf(e));
        assertFalse(Files.exists(tmp.resolve("q.sock")));
        assertThrows(IOException.class, () -> connect(tmp.resolve("q.sock")));
    }

    private static SocketChannel connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(path));
        return channel;
    }

    private static boolean readsEndOfStream(SocketChannel channel) {
        try {
            return channel.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException e) {
            return true;
        }
    }
}
