package io.bulkhead.hal.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real libxenvchan through JNA, on a machine without Xen: it loads, and its init calls fail
 * cleanly (no xenstore, no grant devices), which the connector reports with the call, the
 * xenstore path and errno. Needs libxenvchan (Debian libxenmisc4.17, pulled in by libxen-dev).
 */
class VchanConnectorTest {

    @TempDir
    Path dir;

    @Test
    void saysWhatIsMissing() throws IOException {
        VchanConnector noXen = new VchanConnector("xenvchan", dir.resolve("no-dev-xen"));
        assertEquals(List.of(dir.resolve("no-dev-xen/privcmd") + " missing: not running under Xen dom0"), noXen.missing(),
                "libxenvchan itself must be installed on this machine (libxen-dev)");
        Files.createDirectories(dir.resolve("dev-xen"));
        Files.createFile(dir.resolve("dev-xen/privcmd"));
        assertEquals(List.of(), new VchanConnector("xenvchan", dir.resolve("dev-xen")).missing());
        List<String> noLibrary = new VchanConnector("no-such-vchan-library", dir.resolve("dev-xen")).missing();
        assertEquals(1, noLibrary.size());
        assertTrue(noLibrary.get(0).startsWith("libxenvchan not found (JNA library 'no-such-vchan-library'"), noLibrary.get(0));
    }

    @Test
    void clientRetriesUntilTheTimeoutThenNamesCallPathAndErrno() {
        VchanConnector connector = new VchanConnector("xenvchan", dir);
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> connector.open("work", 7, VchanPort.QREXEC,
                Duration.ofMillis(400), () -> true));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis >= 400, "gave up after " + elapsedMillis + " ms");
        assertTrue(e.getMessage().startsWith("cannot open vchan port 512 of domain work (domid 7) within 0 s: "
                + "libxenvchan_client_init(7, \"/local/domain/7/data/vchan/0/512\") failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("(errno "), e.getMessage());
    }

    @Test
    void clientStopsWaitingWhenTheDomainIsGone() {
        VchanConnector connector = new VchanConnector("xenvchan", dir);
        IOException e = assertThrows(IOException.class, () -> connector.open("work", 7, VchanPort.QREXEC,
                Duration.ofSeconds(30), () -> false));
        assertTrue(e.getMessage().contains("the domain stopped while waiting for its end"), e.getMessage());
    }

    @Test
    void serverFailsAtOnceNamingItsRelativePath() {
        VchanConnector connector = new VchanConnector("xenvchan", dir);
        IOException e = assertThrows(IOException.class, () -> connector.open("work", 9, VchanPort.QUBESDB,
                Duration.ofSeconds(30), () -> true));
        assertTrue(e.getMessage().startsWith("cannot open vchan port 111 of domain work (domid 9): "
                + "libxenvchan_server_init(9, \"data/vchan/9/111\") failed: "), e.getMessage());
    }
}
