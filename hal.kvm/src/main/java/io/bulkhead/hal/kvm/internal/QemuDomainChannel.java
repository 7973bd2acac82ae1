package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.support.SocketChannelStreams;

import io.bulkhead.core.domains.hal.DomainChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/** Host end of a virtio-serial port: a connection to the port's unix socket. */
final class QemuDomainChannel implements DomainChannel {

    private final String domain;
    private final String channelName;
    private final SocketChannel socket;
    private final InputStream input;
    private final OutputStream output;
    private final Runnable onClose;

    QemuDomainChannel(String domain, String channelName, SocketChannel socket, Runnable onClose) {
        this.domain = domain;
        this.channelName = channelName;
        this.socket = socket;
        this.input = SocketChannelStreams.input(socket);
        this.output = SocketChannelStreams.output(socket);
        this.onClose = onClose;
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
        try {
            socket.close();
        } finally {
            onClose.run();
        }
    }
}
