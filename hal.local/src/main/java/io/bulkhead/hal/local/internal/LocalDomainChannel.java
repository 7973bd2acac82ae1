package io.bulkhead.hal.local.internal;

import io.bulkhead.core.domains.hal.support.SocketChannelStreams;

import io.bulkhead.core.domains.hal.DomainChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/** dom0's end of the unix socket connection a local agent made to its qube's {@code qrexec.sock}. */
final class LocalDomainChannel implements DomainChannel {

    private final String domain;
    private final String channelName;
    private final SocketChannel socket;
    private final InputStream input;
    private final OutputStream output;

    LocalDomainChannel(String domain, String channelName, SocketChannel socket) {
        this.domain = domain;
        this.channelName = channelName;
        this.socket = socket;
        this.input = SocketChannelStreams.input(socket);
        this.output = SocketChannelStreams.output(socket);
    }

    @Override
    public String domain() {
        return domain;
    }

    @Override
    public String channelName() {
        return channelName;
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
