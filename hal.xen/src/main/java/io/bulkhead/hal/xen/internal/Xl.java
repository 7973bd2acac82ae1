package io.bulkhead.hal.xen.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the xl toolstack, one process per command, and returns its output. Arguments go to the
 * process as an argument vector (no shell); domain names are checked by the callers, and no
 * argument this backend passes starts with {@code -} unless it is an option.
 */
final class Xl {

    private static final int MAX_STDERR_LINES = 8;

    private final Path executable;
    private final Duration timeout;

    Xl(Path executable, Duration timeout) {
        this.executable = executable;
        this.timeout = timeout;
    }

    Path executable() {
        return executable;
    }

    /** Output of a successful command. */
    record Result(String stdout, String stderr) {
    }

    /**
     * Runs {@code xl args...}.
     *
     * @throws XlException if xl cannot be run, exits non-zero, or outlives the timeout
     * @throws InterruptedException if interrupted while waiting (xl is killed)
     */
    Result run(String... args) throws XlException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(Arrays.asList(args));
        String shown = "xl " + String.join(" ", args);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new XlException(shown, -1, "cannot run " + executable + ": " + e.getMessage());
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new XlException(shown, -1, "did not finish within " + timeout.toSeconds() + " s (killed)");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
        String out = join(stdout);
        String err = join(stderr);
        if (process.exitValue() != 0) {
            throw new XlException(shown, process.exitValue(), lastLines(err));
        }
        return new Result(out, err);
    }

    /** Reads a stream to its end on its own thread (the common pool may have a single thread). */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        }, "hal-xen-xl-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    private static String join(CompletableFuture<String> output) throws InterruptedException {
        try {
            return output.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return "";
        }
    }

    private static String lastLines(String text) {
        List<String> lines = text.lines().filter(line -> !line.isBlank()).toList();
        List<String> tail = lines.subList(Math.max(0, lines.size() - MAX_STDERR_LINES), lines.size());
        return tail.isEmpty() ? "(no message)" : String.join("\n  ", tail);
    }
}
