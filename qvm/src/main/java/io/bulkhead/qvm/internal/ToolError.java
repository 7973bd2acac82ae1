package io.bulkhead.qvm.internal;

/**
 * Ends a tool run the way argparse-based Qubes tools end: a usage error (usage line, {@code PROG: error: MESSAGE},
 * exit 2), a runtime error ({@code PROG: error: MESSAGE}, exit 1), or a bare exit code after the tool printed its own
 * messages.
 */
public final class ToolError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** How the error is reported. */
    public enum Kind { USAGE, RUNTIME, SILENT }

    private final Kind kind;
    private final int exitCode;

    private ToolError(Kind kind, String message, int exitCode) {
        super(message, null, false, false);
        this.kind = kind;
        this.exitCode = exitCode;
    }

    /** argparse's {@code parser.error(message)}: exit 2 after the usage line. */
    public static ToolError usage(String message) {
        return new ToolError(Kind.USAGE, message, 2);
    }

    /** qubesadmin's {@code parser.error_runtime(message)}: exit 1. */
    public static ToolError runtime(String message) {
        return new ToolError(Kind.RUNTIME, message, 1);
    }

    /** Exit with {@code code}; the tool already said why. */
    public static ToolError exit(int code) {
        return new ToolError(Kind.SILENT, "exit " + code, code);
    }

    public Kind kind() {
        return kind;
    }

    public int exitCode() {
        return exitCode;
    }
}
