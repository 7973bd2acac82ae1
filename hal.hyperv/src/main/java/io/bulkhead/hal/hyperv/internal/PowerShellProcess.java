package io.bulkhead.hal.hyperv.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs scripts in one long-lived {@code <powershell> -NoProfile -NonInteractive -Command -}
 * process that executes {@link RunnerLoop}. Scripts run one at a time (callers queue on this
 * object); a script that exceeds its timeout or a process that dies is reported as an
 * {@link IOException} and the next script starts a fresh process.
 */
final class PowerShellProcess implements PowerShell {

    private static final String END_OF_OUTPUT = "\u0000end-of-output";
    private static final int KEPT_LINES = 20;

    private final Path executable;
    private final Optional<RunnerLoop.Remote> remote;
    private final Duration defaultTimeout;
    private final Consumer<String> noise;

    private Process process;
    private Writer stdin;
    private BlockingQueue<String> stdout;
    private Deque<String> stderr;
    /** Reads stderr; joined before a failure is reported so its last lines are complete. */
    private Thread stderrPump;
    private boolean closed;

    /**
     * @param noise receives output lines that are not result envelopes (warnings the host printed)
     */
    PowerShellProcess(Path executable, Optional<RunnerLoop.Remote> remote, Duration defaultTimeout,
            Consumer<String> noise) {
        this.executable = executable;
        this.remote = remote;
        this.defaultTimeout = defaultTimeout;
        this.noise = noise;
    }

    /** The command line: the brief's flags; the script itself only ever travels over stdin. */
    List<String> command() {
        return List.of(executable.toString(), "-NoProfile", "-NonInteractive", "-Command", "-");
    }

    @Override
    public synchronized String run(PowerShellScript script) throws IOException {
        if (closed) {
            throw new IOException("the PowerShell runner is closed");
        }
        ensureStarted();
        Duration timeout = script.timeout().filter(t -> t.compareTo(defaultTimeout) > 0).orElse(defaultTimeout);
        try {
            stdin.write(RunnerLoop.encode(script.text()));
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw failure("cannot send script '" + script.operation() + "' to PowerShell", e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new java.util.ArrayList<>();
        while (true) {
            String line;
            try {
                line = stdout.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IOException("interrupted while PowerShell ran script '" + script.operation()
                        + "'; the PowerShell process was stopped", e);
            }
            if (line == null) {
                stop();
                throw new IOException("PowerShell did not finish script '" + script.operation() + "'"
                        + subject(script) + " within " + timeout.toSeconds() + " s; the PowerShell process was stopped"
                        + diagnostics(skipped));
            }
            if (line.equals(END_OF_OUTPUT)) {
                throw failure("PowerShell exited while running script '" + script.operation() + "'" + subject(script)
                        + diagnostics(skipped), null);
            }
            if (line.startsWith(RunnerLoop.MARKER)) {
                return line.substring(RunnerLoop.MARKER.length());
            }
            skipped.add(line);
            noise.accept(line);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (process != null && process.isAlive()) {
            try {
                stdin.write(RunnerLoop.EXIT + "\n");
                stdin.flush();
                stdin.close();
                process.waitFor(2, TimeUnit.SECONDS);
            } catch (IOException e) {
                // going away anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stop();
    }

    private void ensureStarted() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        stop();
        ProcessBuilder builder = new ProcessBuilder(command());
        Process started = builder.start();
        process = started;
        stdin = new OutputStreamWriter(started.getOutputStream(), StandardCharsets.US_ASCII);
        stdout = new LinkedBlockingQueue<>();
        stderr = new ArrayDeque<>();
        pump(started.getInputStream(), stdout::add, "stdout", true);
        Deque<String> errors = stderr;
        stderrPump = pump(started.getErrorStream(), line -> keep(errors, line), "stderr", false);
        stdin.write(RunnerLoop.bootstrapLine(remote));
        stdin.write('\n');
        stdin.flush();
    }

    private Thread pump(InputStream stream, Consumer<String> sink, String what, boolean markEnd) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process went away
            } finally {
                if (markEnd) {
                    sink.accept(END_OF_OUTPUT);
                }
            }
        }, "hal-hyperv-powershell-" + what);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void keep(Deque<String> lines, String line) {
        synchronized (lines) {
            lines.addLast(line);
            while (lines.size() > KEPT_LINES) {
                lines.removeFirst();
            }
        }
    }

    private IOException failure(String what, IOException cause) {
        Process dead = process;
        String exit = "";
        if (dead != null) {
            try {
                if (dead.waitFor(2, TimeUnit.SECONDS)) {
                    exit = " (exit code " + dead.exitValue() + ")";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Thread pump = stderrPump;
        if (pump != null && !exit.isEmpty()) {
            try {
                pump.join(2_000); // the process is gone: its stderr ends soon
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String errors = stderrTail();
        stop();
        return new IOException(what + exit + (errors.isEmpty() ? "" : "; stderr: " + errors), cause);
    }

    private String stderrTail() {
        Deque<String> errors = stderr;
        if (errors == null) {
            return "";
        }
        synchronized (errors) {
            return String.join(" | ", errors);
        }
    }

    private String diagnostics(List<String> skipped) {
        StringBuilder text = new StringBuilder();
        if (!skipped.isEmpty()) {
            text.append("; output: ").append(Envelope.abbreviate(String.join(" | ",
                    skipped.subList(Math.max(0, skipped.size() - 5), skipped.size()))));
        }
        String errors = stderrTail();
        if (!errors.isEmpty()) {
            text.append("; stderr: ").append(Envelope.abbreviate(errors));
        }
        return text.toString();
    }

    private static String subject(PowerShellScript script) {
        return script.subject().isEmpty() ? "" : " for VM '" + script.subject() + "'";
    }

    private void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process = null;
    }
}
