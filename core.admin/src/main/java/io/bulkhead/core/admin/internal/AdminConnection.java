package io.bulkhead.core.admin.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.internal.wire.RequestDecoder;
import io.bulkhead.core.admin.internal.wire.ResponseEncoder;
import io.bulkhead.core.domains.QubesException;

/** Serves one qubesd connection: one request, read until the client's half-close, one response. */
final class AdminConnection {
    private static final Logger LOG = Logger.getLogger(AdminConnection.class.getName());

    private final AdminDispatcher dispatcher;
    private final EventHub events;
    private final String source;
    private final CommandStream commands;

    /**
     * @param source who is calling: {@code dom0} on the local socket
     */
    AdminConnection(AdminDispatcher dispatcher, EventHub events, CommandStream commands, String source) {
        this.dispatcher = dispatcher;
        this.events = events;
        this.commands = commands;
        this.source = source;
    }

    void serve(SocketChannel channel) throws IOException {
        Arrived arrived = readRequest(channel);
        if (arrived == null) {
            LOG.warning("admin socket: request larger than " + RequestDecoder.MAX_REQUEST_BYTES + " bytes, connection aborted");
            return;
        }
        byte[] raw = arrived.bytes();
        AdminRequest request;
        try {
            if (!arrived.complete()) {
                int nul = indexOfNul(raw);
                AdminRequest header = withSource(RequestDecoder.decode(java.util.Arrays.copyOf(raw, nul + 1)));
                InputStream input = new java.io.SequenceInputStream(
                        new java.io.ByteArrayInputStream(raw, nul + 1, raw.length - nul - 1), new ChannelInput(channel));
                commands.serveWithInput(header, input, channel, dispatcher);
                return;
            }
            request = withSource(RequestDecoder.decode(raw));
            if (AdminDispatcher.EVENTS.equals(request.method())) {
                dispatcher.authorize(request);
                new EventStreamer(events, dispatcher).stream(request, frame -> write(channel, frame), channel::isOpen);
                return;
            }
            if (CommandStream.handles(request.method())) {
                dispatcher.authorize(request);
                commands.serve(request, channel);
                return;
            }
            write(channel, dispatcher.respond(request));
        } catch (QubesException e) {
            write(channel, ResponseEncoder.error(e.qubesClass(), e.getMessage()));
        } catch (RuntimeException e) {
            // qubesd answers unexpected exceptions with no bytes; the client reports an empty response
            LOG.log(Level.SEVERE, "admin call failed unexpectedly", e);
        }
    }

    /** The local socket is dom0's: whatever source the client names, the caller is dom0. */
    private AdminRequest withSource(AdminRequest request) {
        return new AdminRequest(request.method(), request.argument(), source, request.destination(), request.payload());
    }

    /** What arrived before the answer: the whole request, or the start of one whose input follows. */
    private record Arrived(byte[] bytes, boolean complete) {
    }

    /** Reads to the half-close, except for a run with input, which is handed over once its header is in. */
    private static Arrived readRequest(SocketChannel channel) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        boolean headerSeen = false;
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            request.write(buffer.array(), 0, buffer.limit());
            buffer.clear();
            if (!headerSeen) {
                byte[] sofar = request.toByteArray();
                int nul = indexOfNul(sofar);
                if (nul >= 0) {
                    headerSeen = true;
                    if (CommandStream.takesInput(methodOf(sofar, nul))) {
                        return new Arrived(sofar, false);
                    }
                }
            }
            if (request.size() > RequestDecoder.MAX_REQUEST_BYTES) {
                return null;
            }
        }
        return new Arrived(request.toByteArray(), true);
    }

    private static int indexOfNul(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The method name of a header ({@code method[+arg] ...}), undecoded. */
    private static String methodOf(byte[] bytes, int nul) {
        int end = 0;
        while (end < nul && bytes[end] != ' ' && bytes[end] != '+') {
            end++;
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * The client's bytes as a stream, read with {@link SocketChannel#read} itself: a
     * {@code Channels.newInputStream} would hold the channel's blocking lock while it waits, and so
     * block the answer written meanwhile.
     */
    private static final class ChannelInput extends InputStream {
        private final SocketChannel channel;

        ChannelInput(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int read;
            do {
                read = channel.read(ByteBuffer.wrap(bytes, offset, length));
            } while (read == 0);
            return read;
        }
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
