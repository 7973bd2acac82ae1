package io.bulkhead.core.qrexec.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** A listening unix socket that hands out {@link UnixSocketChannel}s; removes its file on close. */
public final class UnixSocketServer implements Closeable {
    private final ServerSocketChannel server;
    private final Path path;

    private UnixSocketServer(ServerSocketChannel server, Path path) {
        this.server = server;
        this.path = path;
    }

    /** Binds {@code path}, replacing a stale socket file left by an earlier process. */
    public static UnixSocketServer bind(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(path); // a stale socket of an earlier process
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on unix socket " + path + ": " + e.getMessage(), e);
        }
        return new UnixSocketServer(server, path);
    }

    /** Blocks until a peer connects. */
    public UnixSocketChannel accept() throws IOException {
        SocketChannel ch = server.accept();
        return UnixSocketChannel.wrap(ch, "unix:" + path);
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
