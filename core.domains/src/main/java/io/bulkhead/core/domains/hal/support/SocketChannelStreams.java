package io.bulkhead.core.domains.hal.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;

/**
 * Blocking streams over a connected {@link SocketChannel}, for a backend's DomainChannel. They call
 * read/write on the channel directly because the JDK's {@code Channels.newInputStream} holds the
 * channel's blocking lock while reading, which would stall a concurrent writer.
 */
public final class SocketChannelStreams {

    private SocketChannelStreams() {
    }

    /** @return a stream that ends (-1) when the channel is closed on either side */
    public static InputStream input(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                try {
                    int n;
                    do {
                        n = channel.read(ByteBuffer.wrap(buffer, offset, length));
                    } while (n == 0);
                    return n;
                } catch (ClosedChannelException e) {
                    // closed on our side (channel closed, domain stopped): the stream has ended
                    return -1;
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** @return a stream writing everything it is given before returning */
    public static OutputStream output(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                ByteBuffer data = ByteBuffer.wrap(buffer, offset, length);
                while (data.hasRemaining()) {
                    channel.write(data);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
