package io.bulkhead.core.qrexec.transport;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * The guest end of a virtio-serial port ({@code /dev/vport0p1}, {@code /dev/virtio-ports/NAME}),
 * opened once read-write (the kernel allows one open) and used through two streams on the same
 * descriptor: a {@code FileChannel} would serialise reads and writes on one lock.
 *
 * <p>While no host is connected, {@code read} returns end of file; {@link #awaitHost} polls
 * until the host sends its first bytes.
 *
 * <p>{@code available()} is always 0: a virtio port answers neither {@code FIONREAD} nor
 * {@code lseek}, so the JDK's answer is an {@code IOException} ("Illegal seek"), which killed the
 * link as soon as a buffered reader asked for more than one read of a burst (host to guest over
 * about 4 KB).
 */
public final class DeviceChannel implements QrexecChannel {
    private final RandomAccessFile file;
    private final PushbackInputStream input;
    private final OutputStream output;
    private final String description;

    private DeviceChannel(RandomAccessFile file, String description) throws IOException {
        this.file = file;
        this.input = new PushbackInputStream(new PortInputStream(file), 1);
        this.output = new FileOutputStream(file.getFD());
        this.description = description;
    }

    public static DeviceChannel open(Path device) throws IOException {
        return new DeviceChannel(new RandomAccessFile(device.toFile(), "rw"), device.toString());
    }

    /**
     * Blocks until a byte from the host arrives, sleeping {@code pollMillis} after each end of
     * file (no host connected). The byte stays readable.
     */
    public void awaitHost(long pollMillis) throws IOException, InterruptedException {
        while (true) {
            int b = input.read();
            if (b >= 0) {
                input.unread(b);
                return;
            }
            Thread.sleep(pollMillis);
        }
    }

    /** The port's reads, without asking the port how much is buffered. */
    private static final class PortInputStream extends FileInputStream {
        PortInputStream(RandomAccessFile file) throws IOException {
            super(file.getFD());
        }

        @Override
        public int available() {
            return 0;
        }
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
