package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowerShellLocatorTest {

    @TempDir
    Path dir;

    private Path executable(String name) throws IOException {
        Path file = Files.createDirectories(dir.resolve("bin")).resolve(name);
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void searchesPwshThenPowershellExeOnWindowsAndPwshElsewhere() throws IOException {
        Path powershell = executable("powershell.exe");
        String path = dir.resolve("nothing-here") + ";" + dir.resolve("bin");
        assertEquals(Optional.of(powershell),
                PowerShellLocator.locate("", path, ";", true, Optional.empty()).executable());
        Path pwshExe = executable("pwsh.exe");
        assertEquals(Optional.of(pwshExe), PowerShellLocator.locate("", path, ";", true, Optional.empty()).executable(),
                "PowerShell 7 first");
        assertEquals(Optional.empty(), PowerShellLocator.locate("", dir.resolve("bin").toString(), ":", false,
                Optional.empty()).executable(), "elsewhere only pwsh counts");
        Path pwsh = executable("pwsh");
        assertEquals(Optional.of(pwsh), PowerShellLocator.locate("", dir.resolve("bin").toString(), ":", false,
                Optional.empty()).executable());
    }

    @Test
    void windowsPowerShellIsFoundUnderSystemRootWithoutPath() throws IOException {
        Path inbox = Files.createDirectories(dir.resolve("Windows/System32/WindowsPowerShell/v1.0"))
                .resolve("powershell.exe");
        Files.writeString(inbox, "");
        Files.setPosixFilePermissions(inbox, PosixFilePermissions.fromString("rwx------"));
        // %SystemRoot% joined with backslashes: only meaningful on Windows, so here it must not match
        PowerShellLocator.Result result = PowerShellLocator.locate("", "", ";", true,
                Optional.of(dir.resolve("Windows").toString()));
        assertTrue(result.problem().startsWith("powershell.exe/pwsh not found: no pwsh.exe or powershell.exe on PATH"),
                result.problem());
    }

    @Test
    void aConfiguredNameOrPathIsUsedOrReported() throws IOException {
        Path custom = executable("my-pwsh");
        assertEquals(Optional.of(custom), PowerShellLocator.locate("my-pwsh", dir.resolve("bin").toString(), ":", false,
                Optional.empty()).executable());
        assertEquals(Optional.of(custom), PowerShellLocator.locate(custom.toString(), "", ":", false, Optional.empty())
                .executable());
        PowerShellLocator.Result missing = PowerShellLocator.locate(dir.resolve("bin/none").toString(), "", ":", false,
                Optional.empty());
        assertEquals("powershell.exe/pwsh not found: the configured powershell '" + dir.resolve("bin/none")
                + "' is not an executable file (configuration io.bulkhead.hal.hyperv)", missing.problem());
        PowerShellLocator.Result byName = PowerShellLocator.locate("pwsh-preview", "", ":", false, Optional.empty());
        assertTrue(byName.problem().startsWith("powershell.exe/pwsh not found: no pwsh-preview on PATH"),
                byName.problem());
    }
}
