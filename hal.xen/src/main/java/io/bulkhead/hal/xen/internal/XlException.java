package io.bulkhead.hal.xen.internal;

/** An xl command failed: could not run, exited non-zero, or timed out. */
final class XlException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String command;
    private final int exitCode;
    private final String detail;

    XlException(String command, int exitCode, String detail) {
        super("`" + command + "` failed" + (exitCode >= 0 ? " with exit status " + exitCode : "") + ":\n  " + detail);
        this.command = command;
        this.exitCode = exitCode;
        this.detail = detail;
    }

    /** @return the command as run, {@code xl create ...} */
    String command() {
        return command;
    }

    /** @return xl's exit status, -1 if it did not exit by itself */
    int exitCode() {
        return exitCode;
    }

    /** @return the last lines xl wrote to stderr, or why it could not run */
    String detail() {
        return detail;
    }
}
