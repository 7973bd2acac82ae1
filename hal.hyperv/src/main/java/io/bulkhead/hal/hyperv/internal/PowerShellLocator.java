package io.bulkhead.hal.hyperv.internal;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the PowerShell executable: the configured one, or pwsh / powershell.exe on PATH. */
final class PowerShellLocator {

    static final String NOT_FOUND = "powershell.exe/pwsh not found";

    private PowerShellLocator() {
    }

    /**
     * @param configured    configuration value: empty = search, a name = search that name, a path = use it
     * @param searchPath    value of PATH
     * @param pathSeparator separator of PATH entries ({@code ;} on Windows)
     * @param windows       whether this JVM runs on Windows (names get {@code .exe} there)
     * @param systemRoot    %SystemRoot% on Windows, for the in-box Windows PowerShell
     * @return the executable, or a message that starts with {@link #NOT_FOUND} and says what to do
     */
    static Result locate(String configured, String searchPath, String pathSeparator, boolean windows,
            Optional<String> systemRoot) {
        String trimmed = configured.trim();
        if (trimmed.contains("/") || trimmed.contains("\\")) {
            try {
                Path given = Path.of(trimmed);
                if (Files.isRegularFile(given) && Files.isExecutable(given)) {
                    return new Result(Optional.of(given), "");
                }
            } catch (InvalidPathException e) {
                // reported below
            }
            return new Result(Optional.empty(), NOT_FOUND + ": the configured powershell '" + trimmed
                    + "' is not an executable file (configuration " + HypervHypervisor.PID + ")");
        }
        List<String> names = new ArrayList<>();
        if (!trimmed.isEmpty()) {
            names.add(trimmed);
            if (windows && !trimmed.toLowerCase(java.util.Locale.ROOT).endsWith(".exe")) {
                names.add(trimmed + ".exe");
            }
        } else if (windows) {
            names.add("pwsh.exe");
            names.add("powershell.exe");
        } else {
            names.add("pwsh");
        }
        List<String> directories = new ArrayList<>();
        if (searchPath != null) {
            for (String dir : searchPath.split(java.util.regex.Pattern.quote(pathSeparator))) {
                if (!dir.isBlank()) {
                    directories.add(dir.trim());
                }
            }
        }
        if (windows && trimmed.isEmpty() && systemRoot.isPresent()) {
            directories.add(systemRoot.get() + "\\System32\\WindowsPowerShell\\v1.0");
        }
        for (String name : names) {
            for (String dir : directories) {
                try {
                    Path candidate = Path.of(dir, name);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return new Result(Optional.of(candidate), "");
                    }
                } catch (InvalidPathException e) {
                    // a strange PATH entry: skip it
                }
            }
        }
        String hint = windows
                ? "Windows PowerShell ships with Windows (%SystemRoot%\\System32\\WindowsPowerShell\\v1.0); install"
                        + " PowerShell 7 (winget install Microsoft.PowerShell) or set 'powershell' in configuration "
                        + HypervHypervisor.PID
                : "the Hyper-V backend runs PowerShell on the Windows host that runs Hyper-V; on this "
                        + System.getProperty("os.name") + " machine install pwsh and set remoteComputer, or select"
                        + " another backend (hypervisor=kvm)";
        return new Result(Optional.empty(), NOT_FOUND + ": no " + String.join(" or ", names) + " on PATH; " + hint);
    }

    /** The executable, or why there is none. */
    record Result(Optional<Path> executable, String problem) {
    }
}
