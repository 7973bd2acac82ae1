package io.bulkhead.qvm.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The standard streams of one tool run: the process's own, a Gogo session's, or a test's. */
public final class Io {
    private final InputStream in;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean terminal;

    /**
     * @param terminal whether stdout is a terminal (some tools print differently, as Qubes' do)
     */
    public Io(InputStream in, OutputStream stdout, OutputStream stderr, boolean terminal) {
        this.in = in;
        this.stdout = stdout;
        this.stderr = stderr;
        this.out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8));
        this.err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8));
        this.terminal = terminal;
    }

    /** @return this process's standard streams */
    public static Io system() {
        return new Io(System.in, System.out, System.err, System.console() != null);
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    /** @return stdout for bytes; text written through {@link #out()} so far is flushed first */
    public OutputStream rawOut() {
        out.flush();
        return stdout;
    }

    /** @return stderr for bytes; text written through {@link #err()} so far is flushed first */
    public OutputStream rawErr() {
        err.flush();
        return stderr;
    }

    public InputStream in() {
        return in;
    }

    /** @return whether stdout is a terminal */
    public boolean terminal() {
        return terminal;
    }

    /**
     * Python's {@code input(prompt)}: prompt on stdout, then one line from stdin.
     *
     * @return the line without its end, or {@code null} at end of input
     */
    public String readLine(String prompt) {
        out.print(prompt);
        flush();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    public void flush() {
        out.flush();
        err.flush();
    }
}
