package io.bulkhead.hal.local.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends job-control signals the JDK has no API for (SIGSTOP, SIGCONT) through the {@code kill}
 * command. A child process per pause is cheap next to the benefit of needing no native code in
 * the bundle.
 */
final class Signals {

    private static final List<String> FALLBACK_DIRECTORIES = List.of("/usr/bin", "/bin");

    private Signals() {
    }

    /**
     * Sends {@code signal} (a name such as {@code STOP} or {@code CONT}) to every pid, in order.
     *
     * @throws IOException when {@code kill} is missing or reports a failure (its message included)
     */
    static void send(String signal, List<Long> pids) throws IOException {
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(killCommand().toString(), "-s", signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        Process kill = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            byte[] output = kill.getInputStream().readAllBytes();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IOException("kill -s " + signal + " did not finish within 10 s");
            }
            if (kill.exitValue() != 0) {
                throw new IOException("kill -s " + signal + " " + pids + " failed with status " + kill.exitValue()
                        + ": " + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill.destroyForcibly();
            throw new IOException("interrupted while sending SIG" + signal, e);
        }
    }

    private static Path killCommand() throws IOException {
        List<String> directories = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(":")));
        }
        directories.addAll(FALLBACK_DIRECTORIES);
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, "kill");
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no 'kill' command on PATH or in /usr/bin, /bin (install procps or util-linux)");
    }
}
