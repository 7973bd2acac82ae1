package io.bulkhead.core.qrexec.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A {@link QrexecChannel} over a unix stream socket: the host side of a QEMU virtio-serial
 * chardev, or a local agent process.
 *
 * <p>The streams call {@link SocketChannel#read}/{@link SocketChannel#write} directly. The JDK's
 * {@code Channels.newInputStream/newOutputStream} hold the channel's blocking lock during a
 * read, which would stall every write while a read waits.
 */
public final class UnixSocketChannel implements QrexecChannel {
    private final SocketChannel channel;
    private final String description;
    private final InputStream input = new In();
    private final OutputStream output = new Out();

    private UnixSocketChannel(SocketChannel channel, String description) {
        this.channel = channel;
        this.description = description;
    }

    /** Connects to a listening unix socket (QEMU's {@code server=on} chardev, or a test dom0). */
    public static UnixSocketChannel connect(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to unix socket " + path + ": " + e.getMessage(), e);
        }
        return new UnixSocketChannel(ch, "unix:" + path);
    }

    /** Wraps a connected blocking socket channel (for example one returned by {@code accept()}). */
    public static UnixSocketChannel wrap(SocketChannel channel, String description) {
        return new UnixSocketChannel(channel, description);
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
        channel.close();
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            return channel.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            channel.shutdownInput();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }

        @Override
        public void close() throws IOException {
            channel.shutdownOutput();
        }
    }
}
