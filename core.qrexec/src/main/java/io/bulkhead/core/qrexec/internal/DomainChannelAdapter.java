package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.domains.hal.DomainChannel;
import io.bulkhead.core.qrexec.transport.QrexecChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A hypervisor backend's {@link DomainChannel} seen as a {@link QrexecChannel}. Public for tools
 * and tests outside the framework (benchmarks, backend tests); the package is not exported.
 */
public final class DomainChannelAdapter implements QrexecChannel {
    private final DomainChannel channel;

    public DomainChannelAdapter(DomainChannel channel) {
        this.channel = channel;
    }

    @Override
    public InputStream input() throws IOException {
        return channel.input();
    }

    @Override
    public OutputStream output() throws IOException {
        return channel.output();
    }

    @Override
    public String describe() {
        return channel.domain() + "/" + channel.channelName();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
