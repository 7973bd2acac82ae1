package io.bulkhead.hal.hyperv.internal;

import io.bulkhead.core.domains.hal.DomainChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Host end of an hvsocket connection to a guest service, as a {@link DomainChannel}. One reader
 * and one writer thread may use it at once (Winsock allows concurrent recv and send).
 */
final class HvSocketChannel implements DomainChannel {

    private static final int CHUNK = 64 * 1024;

    private final Winsock winsock;
    private final long socket;
    private final String domain;
    private final String channelName;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    private HvSocketChannel(Winsock winsock, long socket, String domain, String channelName) {
        this.winsock = winsock;
        this.socket = socket;
        this.domain = domain;
        this.channelName = channelName;
    }

    /**
     * Connects to service {@code serviceId} of VM {@code vmId}, retrying until {@code deadlineNanos}
     * (the guest may not listen yet): every attempt is bounded by HVSOCKET_CONNECT_TIMEOUT.
     */
    static HvSocketChannel connect(Winsock winsock, UUID vmId, UUID serviceId, String domain, String channelName,
            long deadlineNanos) throws IOException {
        byte[] data = new byte[408];
        int started = winsock.WSAStartup((short) 0x0202, data);
        if (started != 0) {
            throw new IOException("WSAStartup failed with error " + started);
        }
        byte[] address = HvSocketAddress.encode(vmId, serviceId);
        byte[] attemptMillis = {(byte) 0xe8, 0x03, 0, 0}; // ULONG 1000, little-endian
        int lastError = 0;
        do {
            long socket = winsock.socket(HvSocketAddress.AF_HYPERV, HvSocketAddress.SOCK_STREAM,
                    HvSocketAddress.HV_PROTOCOL_RAW);
            if (socket == Winsock.INVALID_SOCKET) {
                throw new IOException("cannot create an AF_HYPERV socket (WSA error " + winsock.WSAGetLastError()
                        + "); is this the Hyper-V host?");
            }
            winsock.setsockopt(socket, HvSocketAddress.HV_PROTOCOL_RAW, HvSocketAddress.HVSOCKET_CONNECT_TIMEOUT,
                    attemptMillis, attemptMillis.length);
            if (winsock.connect(socket, address, address.length) == 0) {
                return new HvSocketChannel(winsock, socket, domain, channelName);
            }
            lastError = winsock.WSAGetLastError();
            winsock.closesocket(socket);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to hvsocket service " + serviceId, e);
            }
        } while (System.nanoTime() < deadlineNanos);
        throw new IOException("cannot connect to hvsocket service " + serviceId + " of VM " + vmId + " (WSA error "
                + lastError + "): the guest does not listen on it yet, or the service GUID is not registered on the"
                + " host; register it with:\n" + ServiceRegistration.command(serviceId, "Bulkhead " + channelName));
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

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            winsock.shutdown(socket, Winsock.SD_BOTH);
            winsock.closesocket(socket);
        }
    }

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (closed.get()) {
                return -1;
            }
            byte[] chunk = new byte[Math.min(length, CHUNK)];
            int n = winsock.recv(socket, chunk, chunk.length, 0);
            if (n == 0) {
                return -1;
            }
            if (n < 0) {
                if (closed.get()) {
                    return -1;
                }
                throw new IOException("hvsocket recv failed (WSA error " + winsock.WSAGetLastError() + ") on channel "
                        + channelName + " of " + domain);
            }
            System.arraycopy(chunk, 0, target, offset, n);
            return n;
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] source, int offset, int length) throws IOException {
            int done = 0;
            while (done < length) {
                if (closed.get()) {
                    throw new IOException("channel " + channelName + " of " + domain + " is closed");
                }
                int size = Math.min(length - done, CHUNK);
                byte[] chunk = new byte[size];
                System.arraycopy(source, offset + done, chunk, 0, size);
                int n = winsock.send(socket, chunk, size, 0);
                if (n < 0) {
                    throw new IOException("hvsocket send failed (WSA error " + winsock.WSAGetLastError()
                            + ") on channel " + channelName + " of " + domain);
                }
                done += n; // a partial send leaves the rest for the next round
            }
        }
    }
}
