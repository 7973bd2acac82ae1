package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.fail;

import io.bulkhead.core.domains.hal.DomainChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test-side reader of a {@link DomainChannel}: waits for text with a timeout. */
final class GuestChannel implements AutoCloseable {

    private final DomainChannel channel;
    private final BlockingQueue<Integer> bytes = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    GuestChannel(DomainChannel channel) {
        this.channel = channel;
        Thread reader = new Thread(() -> {
            try {
                InputStream in = channel.input();
                int b;
                while ((b = in.read()) >= 0) {
                    bytes.add(b);
                }
            } catch (IOException e) {
                // closed
            }
            bytes.add(-1);
        }, "guest-channel-reader");
        reader.setDaemon(true);
        reader.start();
    }

    void send(String text) throws IOException {
        channel.output().write(text.getBytes(StandardCharsets.US_ASCII));
        channel.output().flush();
    }

    /** Waits until everything received so far ends with {@code text}; fails after {@code timeout}. */
    void await(String text, Duration timeout) throws InterruptedException {
        if (!tryAwait(text, timeout)) {
            fail("guest did not send '" + text.strip() + "' within " + timeout.toMillis() + " ms; got '"
                    + seen.toString(StandardCharsets.ISO_8859_1) + "'");
        }
    }

    boolean tryAwait(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (seen.toString(StandardCharsets.ISO_8859_1).contains(text)) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Integer b = bytes.poll(left, TimeUnit.NANOSECONDS);
            if (b == null || b < 0) {
                return seen.toString(StandardCharsets.ISO_8859_1).contains(text);
            }
            seen.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
