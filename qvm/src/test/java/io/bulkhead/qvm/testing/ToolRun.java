package io.bulkhead.qvm.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.bulkhead.qvm.client.AdminTransport;
import io.bulkhead.qvm.client.QubesdClient;
import io.bulkhead.qvm.internal.Io;
import io.bulkhead.qvm.internal.Tools;

/** The outcome of one tool run in a test: exit code, stdout and stderr. */
public record ToolRun(int code, String out, String err) {

    /** Runs a tool against the fake qubesd with no input. */
    public static ToolRun run(FakeQubesd qubesd, String tool, String... args) {
        return run(new QubesdClient(qubesd.socket()), "", tool, args);
    }

    /** Runs a tool with {@code stdin} as its input. */
    public static ToolRun withInput(FakeQubesd qubesd, String stdin, String tool, String... args) {
        return run(new QubesdClient(qubesd.socket()), stdin, tool, args);
    }

    public static ToolRun run(AdminTransport transport, String stdin, String tool, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Tools.run(tool, args, new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err, false),
                transport);
        return new ToolRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** @return stderr's last line (the {@code PROG: error: ...} line of a usage error follows the usage) */
    public String lastErrLine() {
        String[] lines = err.split("\n");
        return lines[lines.length - 1];
    }
}
