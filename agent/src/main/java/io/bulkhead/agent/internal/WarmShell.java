package io.bulkhead.agent.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A shell spawned ahead of demand for one future command: {@code SHELL -c LOADER}, exactly as the
 * command itself would be spawned, where the loader reads the command from the shell's stdin and
 * runs it in the same process. Whatever follows the command on stdin is the command's stdin, and
 * stdout, stderr and the exit status are the process's own, so the caller treats the result like
 * any spawned process. One command per shell; it exits afterwards.
 *
 * <p>On stdin the command comes as a line with its number of lines, then its lines, each ended
 * by a newline: no text inside the command can end it early (no marker to collide with), and the
 * shell's {@code read} consumes exactly those bytes. If stdin ends before the whole command has
 * arrived (the agent discarded the shell), the loader exits without running anything.
 */
final class WarmShell {
    /** Shells whose {@code read -r}, {@code eval} and arithmetic behave as POSIX says. */
    private static final Set<String> POSIX_SHELLS = Set.of("sh", "ash", "bash", "dash", "ksh", "mksh");

    /**
     * Reads the command, then runs it with {@code eval} in this process, so a command of shell
     * built-ins needs no further process. The loader's variables are gone before the command
     * runs. It is one line, so the command's lines keep their numbers ({@code $LINENO}, bash's
     * error messages); a newline for joining the lines of a multi-line command comes from
     * {@code printf}, as the source holds none. The one difference from {@code SHELL -c COMMAND}:
     * the shell's own error messages may name {@code eval} (busybox:
     * {@code sh: eval: line 0: foo: not found} for {@code sh: foo: not found}; dash alike; bash: none).
     */
    static final String EVAL_LOADER = "IFS= read -r __bh_n || exit 0; IFS= read -r __bh_c || exit 0; "
            + "while [ \"$__bh_n\" -gt 1 ]; do IFS= read -r __bh_l || exit 0; "
            + "[ -n \"${__bh_nl+x}\" ] || { __bh_nl=$(printf '\\nx'); __bh_nl=${__bh_nl%x}; }; "
            + "__bh_c=\"$__bh_c$__bh_nl$__bh_l\"; __bh_n=$((__bh_n - 1)); done; "
            + "unset __bh_n __bh_l __bh_nl; eval \"unset __bh_c; $__bh_c\"";

    private final ShellPlan plan;
    private final Process process;
    private final OutputPump stdout;
    private final OutputPump stderr;

    WarmShell(ShellPlan plan, Process process) {
        this.plan = plan;
        this.process = process;
        this.stdout = new OutputPump(process.getInputStream());
        this.stderr = new OutputPump(process.getErrorStream());
    }

    /**
     * Starts reading the shell's stderr now, so that no thread is woken on the command's path;
     * the caller runs {@link #stdout()}'s pump on a thread of its own.
     */
    void startStderrPump(Executor executor) {
        executor.execute(stderr);
    }

    Process process() {
        return process;
    }

    /** The pump of the shell's stdout: {@link OutputPump#attach attach} where the command's goes. */
    OutputPump stdout() {
        return stdout;
    }

    /** The pump of the shell's stderr: {@link OutputPump#attach attach} where the command's goes. */
    OutputPump stderr() {
        return stderr;
    }

    /**
     * Whether the loader runs {@code command} as {@code SHELL -c command} would: not when it
     * starts with {@code -} or {@code +}, which that shell takes as options.
     */
    static boolean runsAsGiven(String command) {
        return command.isEmpty() || command.charAt(0) != '-' && command.charAt(0) != '+';
    }

    /** Whether a command for a plan with this shell can go through a warm shell. */
    static boolean supports(ShellPlan plan) {
        String shell = plan.shell();
        return POSIX_SHELLS.contains(shell.substring(shell.lastIndexOf('/') + 1));
    }

    ShellPlan plan() {
        return plan;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Hands {@code command} to the shell, which runs it at once.
     *
     * @throws IOException if the shell is gone (then nothing ran)
     */
    void run(String command, Charset charset) throws IOException {
        byte[] text = command.getBytes(charset);
        int lines = 1;
        for (byte b : text) {
            if (b == '\n') {
                lines++;
            }
        }
        byte[] count = (lines + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[count.length + text.length + 1];
        System.arraycopy(count, 0, message, 0, count.length);
        System.arraycopy(text, 0, message, count.length, text.length);
        message[message.length - 1] = '\n';
        OutputStream stdin = process.getOutputStream();
        stdin.write(message);
        stdin.flush();
    }

    /** Ends the shell without running anything: its loader sees end of file and exits. */
    void discard() {
        stdout.abandon();
        stderr.abandon();
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        process.destroy();
    }
}
