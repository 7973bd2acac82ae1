package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DomainSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hot-plug ports of a netvm: a client's port stays taken until its guest has ejected the NIC. */
class QemuDomainPortsTest {

    private Process process;
    private QemuDomain netvm;

    @BeforeEach
    void netvm() throws IOException {
        process = new ProcessBuilder("sleep", "60").start(); // stands in for the netvm's QEMU
        DomainSpec spec = DomainSpec.builder("sys-net", UUID.randomUUID(), Path.of("/run/bh/sys-net")).memory(256, 0).vcpus(1)
                .boot(new DomainSpec.KernelBoot(Path.of("/k"), Optional.empty(), "")).providesNetwork(true).build();
        netvm = new QemuDomain(spec, new RunFiles(spec.runDirectory()), Machine.Q35, process, VolumeOwnership.none());
    }

    @AfterEach
    void stop() {
        process.destroyForcibly();
    }

    @Test
    void aPortBeingEmptiedIsNotGivenToAnotherClientUntilTheNicIsGone() throws Exception {
        assertEquals(0, netvm.claimPort("work", 2));
        netvm.removing("work");
        assertEquals(1, netvm.claimPort("mail", 2), "port 0 still holds work's old NIC");
        IOException full = assertThrows(IOException.class, () -> netvm.claimPort("bank", 2));
        assertTrue(full.getMessage().contains("sys-net") && full.getMessage().contains("2 at most"), full.getMessage());
        netvm.removed("work");
        assertEquals(0, netvm.claimPort("bank", 2));
    }

    @Test
    void aRestartingClientWaitsForItsOldNicThenGetsAPort() throws Exception {
        netvm.claimPort("work", 1);
        netvm.removing("work");
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> {
            try {
                return netvm.awaitRemoved("work", Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(waited.isDone(), "the old NIC is still there");
        netvm.removed("work"); // QEMU's DEVICE_DELETED
        assertTrue(waited.get());
        assertEquals(0, netvm.claimPort("work", 1));
    }

    @Test
    void aGuestThatNeverEjectsTheNicMakesTheWaitFail() throws Exception {
        netvm.claimPort("work", 1);
        netvm.removing("work");
        assertFalse(netvm.awaitRemoved("work", Duration.ofMillis(300)));
        assertTrue(netvm.awaitRemoved("mail", Duration.ofMillis(1)), "nothing of mail's is being removed");
    }

    @Test
    void aNicThatWasNeverPluggedFreesItsPortAtOnce() throws Exception {
        netvm.claimPort("work", 1);
        netvm.releasePort("work");
        assertTrue(netvm.awaitRemoved("work", Duration.ofMillis(1)));
        assertEquals(0, netvm.claimPort("mail", 1));
    }
}
