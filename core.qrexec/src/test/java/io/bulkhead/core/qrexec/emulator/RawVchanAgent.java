package io.bulkhead.core.qrexec.emulator;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A scripted, possibly hostile, agent on libvchan-socket sockets: the test decides every byte.
 * It serves the control vchan {@code DIR/vchan.<domain>.0.512.sock} as the real agent does.
 */
public final class RawVchanAgent implements AutoCloseable {
    private final Path dir;
    private final int domain;
    private final ServerSocketChannel server;
    private SocketChannel control;

    private RawVchanAgent(Path dir, int domain, ServerSocketChannel server) {
        this.dir = dir;
        this.domain = domain;
        this.server = server;
    }

    public static RawVchanAgent listen(Path dir, int domain) throws IOException {
        Path sock = dir.resolve("vchan." + domain + ".0.512.sock");
        Files.deleteIfExists(sock);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(sock), 1);
        s.configureBlocking(false);
        return new RawVchanAgent(dir, domain, s);
    }

    /** Waits for dom0's connection. */
    public RawVchanAgent accept(long millis) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while ((control = server.accept()) == null) {
            if (System.nanoTime() > end) {
                throw new IOException("dom0 did not connect within " + millis + " ms");
            }
            Thread.sleep(2);
        }
        return this;
    }

    public void send(byte[] bytes) throws IOException {
        Wire.writeAll(control, bytes, null);
    }

    /** @return the next control message {type, payload} from dom0, {@code null} if it closed */
    public Object[] next() throws IOException {
        return Wire.readMessage(control, null);
    }

    /** @return whether dom0 closed the control vchan within the time (everything it sent before is skipped) */
    public boolean closedByDom0(long millis) throws IOException, InterruptedException {
        control.configureBlocking(false);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        ByteBuffer sink = ByteBuffer.allocate(65536);
        try {
            while (System.nanoTime() < end) {
                sink.clear();
                int n = control.read(sink);
                if (n < 0) {
                    return true;
                }
                if (n == 0) {
                    Thread.sleep(2);
                }
            }
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            control.configureBlocking(true);
        }
    }

    /** Connects as vchan client to the data vchan dom0 serves for {@code port}. */
    public SocketChannel connectData(int connectDomain, int port) throws IOException, InterruptedException {
        return Wire.connectRetrying(dir.resolve("vchan." + connectDomain + "." + domain + "." + port + ".sock"), 5_000);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (control != null) {
            control.close();
        }
        server.close();
    }
}
