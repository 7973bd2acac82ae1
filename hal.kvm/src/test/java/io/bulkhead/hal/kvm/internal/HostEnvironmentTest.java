package io.bulkhead.hal.kvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.HypervisorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostEnvironmentTest {

    @TempDir
    Path dir;

    @Test
    void missingQemuNamesTheInstallCommand() {
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> HostEnvironment.locateQemu("qemu-system-x86_64", dir.toString()));
        assertTrue(e.getMessage().contains("apt-get install qemu-system-x86"), e.getMessage());
        assertTrue(e.getMessage().contains("scripts/install-deps.sh"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), "names the PATH searched: " + e.getMessage());

        HypervisorException absolute = assertThrows(HypervisorException.class,
                () -> HostEnvironment.locateQemu(dir.resolve("nope").toString(), ""));
        assertTrue(absolute.getMessage().contains("apt-get install qemu-system-x86"), absolute.getMessage());
    }

    @Test
    void findsQemuOnThePathInOrderAndSkipsNonExecutables() throws IOException {
        Path first = Files.createDirectory(dir.resolve("a"));
        Path second = Files.createDirectory(dir.resolve("b"));
        Files.writeString(first.resolve("qemu-system-x86_64"), "not executable");
        Path executable = Files.writeString(second.resolve("qemu-system-x86_64"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(executable, HostEnvironment.locateQemu("qemu-system-x86_64", first + "::" + second));
        assertEquals(executable, HostEnvironment.locateQemu(executable.toString(), ""));
    }

    @Test
    void tscFrequencyComesFromCpuinfo() {
        assertEquals(OptionalLong.of(2_596_140), HostEnvironment.tscKhz(
                "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.140\ncache size\t: 512 KB\n"));
        assertEquals(OptionalLong.empty(), HostEnvironment.tscKhz("processor : 0\n"));
    }

    @Test
    void runDirectoryIsPrivate() throws IOException {
        Path run = dir.resolve("qubes/work");
        HostEnvironment.prepareRunDirectory(run, java.util.Optional.empty());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(run)));
    }

    @Test
    void runDirectoryBehindAClosedAncestorIsReportedWithThatAncestor() throws IOException {
        Path closed = Files.createDirectory(dir.resolve("closed"));
        Path run = Files.createDirectories(closed.resolve("qubes/work"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostEnvironment.checkReachableBy(run, "nobody"));
        assertTrue(e.getMessage().contains(closed + " is mode rwx------"), e.getMessage());
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx--x--x"));
        HostEnvironment.checkReachableBy(run, "nobody");
    }

    @Test
    void tailReturnsTheLastLines() throws IOException {
        Path log = Files.writeString(dir.resolve("console.log"), "a\nb\nc\nd\n");
        assertEquals(List.of("c", "d"), HostEnvironment.tail(log, 2));
        assertEquals(List.of("a", "b", "c", "d"), HostEnvironment.tail(log, 10));
        assertEquals(List.of(), HostEnvironment.tail(dir.resolve("missing"), 3));
    }

    @Test
    void socketPathsOverTheKernelLimitAreRejectedWithThePath() {
        Path tooLong = dir.resolve("x".repeat(120) + ".sock");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnixSockets.checkPathLength(tooLong));
        assertTrue(e.getMessage().contains(tooLong.toString()), e.getMessage());
        UnixSockets.checkPathLength(dir.resolve("qmp.sock"));
    }
}
