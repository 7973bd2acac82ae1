package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkhead.core.domains.hal.Accelerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe against stand-in QEMU scripts: no VM is booted. */
class AcceleratorProbeTest {

    @TempDir
    Path dir;

    private Path kvm;
    private Path kernel;
    private Path initrd;
    private Path runs;

    @BeforeEach
    void files() throws IOException {
        kvm = Files.createFile(dir.resolve("kvm"));
        kernel = Files.writeString(dir.resolve("vmlinux"), "kernel");
        initrd = Files.writeString(dir.resolve("initramfs"), "initrd");
        runs = dir.resolve("runs");
    }

    /** A fake qemu that appends its arguments to {@code runs} and then runs {@code body}. */
    private Path fakeQemu(String body) throws IOException {
        Path script = dir.resolve("qemu-" + Math.abs(body.hashCode()));
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> " + runs + "\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private AcceleratorProbe probe(Path qemu, Path pvmModule, Duration timeout) {
        return new AcceleratorProbe(qemu, kvm, pvmModule, Optional.of(kernel), Optional.of(initrd),
                dir.resolve("cache/probe.json"), timeout, new ObjectMapper());
    }

    private long runCount() throws IOException {
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    @Test
    void guestReachingUserspaceMeansKvm() throws IOException {
        Path qemu = fakeQemu("echo 'Linux version 6.1'; echo BULKHEAD-PROBE-OK; sleep 30");
        AcceleratorProbe.Verdict verdict = probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe();
        assertEquals(Accelerator.KVM, verdict.accelerator(), verdict.reason());
        assertFalse(verdict.fromCache());
        String args = Files.readString(runs);
        assertTrue(args.contains("-accel kvm") && args.contains("bulkhead.probe=1") && args.contains(kernel.toString()),
                args);
    }

    @Test
    void successOnAPvmHostIsReportedAsPvm() throws IOException {
        Path pvm = Files.createDirectory(dir.resolve("kvm_pvm"));
        Path qemu = fakeQemu("echo BULKHEAD-PROBE-OK");
        assertEquals(Accelerator.PVM, probe(qemu, pvm, Duration.ofSeconds(10)).probe().accelerator());
    }

    @Test
    void guestStuckBeforeUserspaceMeansTcgAndTheReasonSaysWhy() throws IOException {
        Path qemu = fakeQemu("echo 'KVM internal error. Suberror: 1'; sleep 30");
        long started = System.nanoTime();
        AcceleratorProbe.Verdict verdict = probe(qemu, dir.resolve("no-pvm"), Duration.ofMillis(700)).probe();
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(Accelerator.TCG, verdict.accelerator());
        assertTrue(verdict.reason().contains("did not reach userspace") && verdict.reason().contains("KVM internal error"),
                verdict.reason());
        assertTrue(millis < 10_000, "the stuck probe guest is killed at the timeout, took " + millis + " ms");
    }

    @Test
    void qemuExitingWithoutMarkerMeansTcg() throws IOException {
        Path qemu = fakeQemu("echo 'failed to set MSR 0x10a' >&2; exit 1");
        AcceleratorProbe.Verdict verdict = probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe();
        assertEquals(Accelerator.TCG, verdict.accelerator());
        assertTrue(verdict.reason().contains("MSR 0x10a"), verdict.reason());
    }

    @Test
    void verdictIsCachedUntilAnInputChanges() throws IOException {
        Path qemu = fakeQemu("echo BULKHEAD-PROBE-OK");
        AcceleratorProbe first = probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10));
        assertEquals(Accelerator.KVM, first.probe().accelerator());
        AcceleratorProbe.Verdict again = probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe();
        assertEquals(Accelerator.KVM, again.accelerator());
        assertTrue(again.fromCache());
        assertEquals(1, runCount(), "the second probe must come from the cache");

        Files.writeString(kernel, "a rebuilt kernel");
        AcceleratorProbe.Verdict afterRebuild = probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe();
        assertFalse(afterRebuild.fromCache());
        assertEquals(2, runCount());
    }

    @Test
    void verdictsForDifferentKernelsAreCachedSideBySide() throws IOException {
        Path qemu = fakeQemu("echo BULKHEAD-PROBE-OK");
        Path otherKernel = Files.writeString(dir.resolve("vmlinux-other"), "another kernel");
        AcceleratorProbe other = new AcceleratorProbe(qemu, kvm, dir.resolve("no-pvm"), Optional.of(otherKernel),
                Optional.of(initrd), dir.resolve("cache/probe.json"), Duration.ofSeconds(10), new ObjectMapper());
        probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe();
        other.probe();
        assertEquals(2, runCount());
        assertTrue(probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe().fromCache());
        assertTrue(other.probe().fromCache());
        assertEquals(2, runCount(), "each kernel was probed once");
    }

    @Test
    void noKvmDeviceMeansTcgWithoutBooting() throws IOException {
        Files.delete(kvm);
        Path qemu = fakeQemu("echo BULKHEAD-PROBE-OK");
        AcceleratorProbe.Verdict verdict = probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe();
        assertEquals(Accelerator.TCG, verdict.accelerator());
        assertTrue(verdict.reason().contains("no " + kvm), verdict.reason());
        assertEquals(0, runCount());
    }

    @Test
    void missingProbeKernelMeansTcgWithAHint() throws IOException {
        Files.delete(kernel);
        Path qemu = fakeQemu("echo BULKHEAD-PROBE-OK");
        AcceleratorProbe.Verdict verdict = probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe();
        assertEquals(Accelerator.TCG, verdict.accelerator());
        assertTrue(verdict.reason().contains("build-minimal.sh"), verdict.reason());
        assertEquals(0, runCount());
    }

    @Test
    void corruptCacheIsIgnored() throws IOException {
        Files.createDirectories(dir.resolve("cache"));
        Files.writeString(dir.resolve("cache/probe.json"), "{not json");
        Path qemu = fakeQemu("echo BULKHEAD-PROBE-OK");
        assertEquals(Accelerator.KVM, probe(qemu, dir.resolve("no-pvm"), Duration.ofSeconds(10)).probe().accelerator());
        assertEquals(1, runCount());
    }
}
