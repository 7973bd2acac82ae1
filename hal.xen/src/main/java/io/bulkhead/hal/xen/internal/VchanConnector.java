package io.bulkhead.hal.xen.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Opens vchans of qubes from dom0 through libxenvchan, loaded with JNA when first needed (never
 * at activation). Also says what is missing on a machine where vchans cannot work: the library,
 * or the Xen device nodes of dom0.
 */
final class VchanConnector {

    private static final Duration RETRY = Duration.ofMillis(100);

    private final String libraryName;
    private final Path xenDeviceDirectory;
    private volatile LibXenVchan vchan;
    private volatile LibC libc;

    VchanConnector(String libraryName, Path xenDeviceDirectory) {
        this.libraryName = libraryName;
        this.xenDeviceDirectory = xenDeviceDirectory;
    }

    /** @return one sentence per missing piece; empty when vchans can be opened here */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        Path privcmd = xenDeviceDirectory.resolve("privcmd");
        if (!Files.exists(privcmd)) {
            missing.add(privcmd + " missing: not running under Xen dom0");
        }
        try {
            library();
        } catch (UnsatisfiedLinkError e) {
            missing.add("libxenvchan not found (JNA library '" + libraryName + "': " + firstLine(e.getMessage())
                    + "); install it with `apt-get install libxenmisc4.17` (Debian 12)");
        }
        return missing;
    }

    /**
     * Connects to (or, where dom0 is the server, creates) the vchan {@code port} of domain
     * {@code domid}. A client retries until the qube's server appears or {@code timeout} passes.
     *
     * @param alive whether the domain still runs; retrying stops when it returns false
     * @throws IOException naming the domain, port and last error when no vchan could be opened
     */
    VchanEndpoint open(String domain, int domid, VchanPort port, Duration timeout, BooleanSupplier alive)
            throws IOException {
        LibXenVchan lib = library();
        String path = port.xenstorePath(domid);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Pointer ctrl = port.dom0IsServer()
                    ? lib.libxenvchan_server_init(null, domid, path, new NativeLong(port.ringSize()),
                            new NativeLong(port.ringSize()))
                    : lib.libxenvchan_client_init(null, domid, path);
            if (ctrl != null) {
                return new XenVchanEndpoint(lib, libc, ctrl);
            }
            int errno = Native.getLastError();
            String why = (port.dom0IsServer() ? "libxenvchan_server_init" : "libxenvchan_client_init") + "(" + domid
                    + ", \"" + path + "\") failed: " + libc.strerror(errno) + " (errno " + errno + ")";
            if (port.dom0IsServer() || System.nanoTime() >= deadline) {
                throw new IOException("cannot open vchan port " + port.port() + " of domain " + domain + " (domid "
                        + domid + ")" + (port.dom0IsServer() ? "" : " within " + timeout.toSeconds() + " s") + ": " + why);
            }
            if (!alive.getAsBoolean()) {
                throw new IOException("cannot open vchan port " + port.port() + " of domain " + domain
                        + ": the domain stopped while waiting for its end (" + why + ")");
            }
            try {
                Thread.sleep(RETRY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for vchan port " + port.port() + " of "
                        + domain);
            }
        }
    }

    private LibXenVchan library() {
        LibXenVchan loaded = vchan;
        if (loaded == null) {
            synchronized (this) {
                if (vchan == null) {
                    libc = Native.load("c", LibC.class);
                    vchan = Native.load(libraryName, LibXenVchan.class);
                }
                loaded = vchan;
            }
        }
        return loaded;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "not found";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
