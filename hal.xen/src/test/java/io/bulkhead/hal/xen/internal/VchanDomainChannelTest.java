package io.bulkhead.hal.xen.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The blocking streams over a non-blocking vchan end, against an in-memory vchan. */
class VchanDomainChannelTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Test
    void fullDuplexTransferThroughSmallRingsKeepsEveryByteInOrder() {
        assertTimeoutPreemptively(LIMIT, () -> {
            FakeVchan vchan = new FakeVchan(1024, true);
            VchanDomainChannel channel = new VchanDomainChannel("work", "qrexec", vchan, () -> { });
            byte[] toGuest = random(300_000, 1);
            byte[] toHost = random(300_000, 2);
            CompletableFuture<byte[]> guestReceived = CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    while (out.size() < toGuest.length) {
                        out.writeBytes(vchan.guestRead(777));
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return out.toByteArray();
            }, runnable -> new Thread(runnable).start());
            Thread guestWriter = new Thread(() -> {
                try {
                    vchan.guestWrite(toHost);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            guestWriter.start();
            CompletableFuture<Void> hostWrite = CompletableFuture.runAsync(() -> {
                try {
                    channel.output().write(toGuest);
                    channel.output().flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> new Thread(runnable).start());
            byte[] hostReceived = channel.input().readNBytes(toHost.length);
            hostWrite.get(10, TimeUnit.SECONDS);
            assertArrayEquals(toHost, hostReceived);
            assertArrayEquals(toGuest, guestReceived.get(10, TimeUnit.SECONDS));
            assertEquals(1, vchan.mostConcurrentWaiters(), "only one thread may wait on the vchan's notifications");
        });
    }

    @Test
    void endOfStreamAfterTheGuestClosesAndItsDataIsRead() throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            FakeVchan vchan = new FakeVchan(64, true);
            VchanDomainChannel channel = new VchanDomainChannel("work", "qrexec", vchan, () -> { });
            vchan.guestWrite("last words".getBytes(StandardCharsets.UTF_8));
            vchan.guestClose();
            InputStream in = channel.input();
            assertEquals("last words", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(-1, in.read());
            IOException e = assertThrows(IOException.class, () -> channel.output().write(1));
            assertTrue(e.getMessage().contains("guest closed its end"), e.getMessage());
        });
    }

    @Test
    void readWaitsWhileTheServerEndHasNoClientYet() {
        assertTimeoutPreemptively(LIMIT, () -> {
            FakeVchan vchan = new FakeVchan(64, false);
            VchanDomainChannel channel = new VchanDomainChannel("work", "qubesdb", vchan, () -> { });
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.input().read();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> new Thread(runnable).start());
            Thread.sleep(3 * VchanDomainChannel.SLICE_MILLIS);
            assertTrue(!read.isDone(), "no client is no end of stream");
            vchan.guestConnect();
            vchan.guestWrite(new byte[] {42});
            assertEquals(42, read.get(5, TimeUnit.SECONDS));
        });
    }

    @Test
    void closeReleasesABlockedReaderAndRunsTheCallbackOnce() {
        assertTimeoutPreemptively(LIMIT, () -> {
            FakeVchan vchan = new FakeVchan(64, true);
            AtomicInteger closed = new AtomicInteger();
            VchanDomainChannel channel = new VchanDomainChannel("work", "qrexec", vchan, closed::incrementAndGet);
            CompletableFuture<Object> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.input().read();
                } catch (IOException e) {
                    return e;
                }
            }, runnable -> new Thread(runnable).start());
            Thread.sleep(2 * VchanDomainChannel.SLICE_MILLIS);
            channel.close();
            channel.close();
            Object result = read.get(2, TimeUnit.SECONDS);
            assertTrue(result instanceof IOException && ((IOException) result).getMessage().contains("is closed"),
                    String.valueOf(result));
            assertTrue(vchan.hostClosed());
            assertEquals(1, closed.get());
            assertThrows(IOException.class, () -> channel.output().flush());
            assertEquals(0, channel.input().available());
        });
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
