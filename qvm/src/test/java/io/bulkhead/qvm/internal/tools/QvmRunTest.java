package io.bulkhead.qvm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.Fixtures;
import io.bulkhead.qvm.testing.ToolRun;

/** qvm-run against the proposed bulkhead.vm.Run framing. */
@Timeout(20)
class QvmRunTest {
    private FakeQubesd qubesd;

    @BeforeEach
    void start() throws IOException {
        qubesd = Fixtures.standard(new FakeQubesd());
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    private static void frame(OutputStream out, char kind, String data) throws IOException {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(5).put((byte) kind).putInt(bytes.length).array());
        out.write(bytes);
    }

    private FakeQubesd.Responder output(String stdout, String stderr, int exit) {
        return (request, out) -> {
            out.write(new byte[] {'0', 0});
            frame(out, 'O', stdout);
            frame(out, 'E', stderr);
            frame(out, 'X', Integer.toString(exit));
        };
    }

    @Test
    void passIoCopiesOutputAndReturnsTheExitCode() {
        qubesd.on("bulkhead.vm.RunWithInput", "", "sys-net", output("hi\n", "warning\n", 3));
        ToolRun run = ToolRun.run(qubesd, "qvm-run", "-p", "sys-net", "echo hi; exit 3");
        assertEquals(3, run.code());
        assertEquals("hi\n", run.out());
        assertEquals("warning\n", run.err());
        assertEquals(List.of("admin.vm.List+ dom0", "bulkhead.vm.RunWithInput+ sys-net 15\necho hi; exit 3"), qubesd.calls());
    }

    @Test
    void withoutPassIoOutputIsDiscardedAndTheRunIsAnnounced() {
        qubesd.on("bulkhead.vm.Run", "root", "sys-net", output("secret\n", "", 0));
        ToolRun run = ToolRun.run(qubesd, "qvm-run", "-u", "root", "sys-net", "id");
        assertEquals(0, run.code());
        assertEquals("", run.out());
        assertEquals("Running 'id' on sys-net\n", run.err());
        qubesd.on("bulkhead.vm.Run", "", "sys-net", output("", "", 1));
        ToolRun failing = ToolRun.run(qubesd, "qvm-run", "sys-net", "false");
        assertEquals(1, failing.code());
        assertEquals("Running 'false' on sys-net\nsys-net: command failed with code: 1\n", failing.err());
    }

    @Test
    void argumentsAfterTheCommandBelongToIt() {
        qubesd.on("bulkhead.vm.RunWithInput", "", "sys-net", output("", "", 0));
        assertEquals(0, ToolRun.run(qubesd, "qvm-run", "--pass-io", "sys-net", "ls", "-l", "--color", "my file").code());
        assertEquals("bulkhead.vm.RunWithInput+ sys-net 23\nls -l --color 'my file'", qubesd.calls().get(1));
        assertEquals(0, ToolRun.run(qubesd, "qvm-run", "-pu", "", "sys-net", "--", "-x").code());
    }

    @Test
    void aHaltedQubeIsStartedFirstUnlessNoAutostart() {
        qubesd.ok("admin.vm.Start", "work", "").on("bulkhead.vm.RunWithInput", "", "work", output("", "", 0));
        assertEquals(0, ToolRun.run(qubesd, "qvm-run", "-p", "work", "true").code());
        assertEquals(List.of("admin.vm.List+ dom0", "admin.vm.Start+ work", "bulkhead.vm.RunWithInput+ work 4\ntrue"), qubesd.calls());
        ToolRun noStart = ToolRun.run(qubesd, "qvm-run", "--no-autostart", "work", "true");
        assertEquals(1, noStart.code());
        assertEquals("Qube 'work' not started\n", noStart.err());
    }

    @Test
    void serviceModeUsesRunService() {
        qubesd.on("bulkhead.vm.RunServiceWithInput", "", "sys-net", output("pong", "", 0));
        ToolRun run = ToolRun.run(qubesd, "qvm-run", "-p", "--service", "sys-net", "qubes.Ping+arg");
        assertEquals("pong", run.out());
        assertEquals("bulkhead.vm.RunServiceWithInput+ sys-net 14\nqubes.Ping+arg", qubesd.calls().get(1));
        qubesd.on("bulkhead.vm.RunService", "", "sys-net", output("pong", "", 0));
        assertEquals(0, ToolRun.run(qubesd, "qvm-run", "--service", "sys-net", "qubes.Ping").code());
        assertEquals("bulkhead.vm.RunService+ sys-net qubes.Ping", qubesd.calls().get(3));
    }

    @Test
    void withoutServerSupportTheErrorNamesTheQube() {
        qubesd.on("bulkhead.vm.RunWithInput", "", "sys-net", FakeQubesd.error("ProtocolError", "no such method: bulkhead.vm.Run"));
        ToolRun run = ToolRun.run(qubesd, "qvm-run", "-p", "sys-net", "true");
        assertEquals(255, run.code());
        assertEquals("sys-net: no such method: bulkhead.vm.Run\n", run.err());
    }

    @Test
    void escapeCharactersAreFilteredOnRequest() {
        qubesd.on("bulkhead.vm.RunWithInput", "", "sys-net", output("\033]0;pwned\007ok\n", "", 0));
        ToolRun run = ToolRun.run(qubesd, "qvm-run", "-p", "--filter-escape-chars", "--no-colour-output", "sys-net", "x");
        assertEquals("_]0;pwned_ok\n", run.out());
    }

    @Test
    void passIoSendsStandardInputAfterTheCommand() {
        qubesd.on("bulkhead.vm.RunWithInput", "", "sys-net", output("data", "", 0));
        ToolRun run = ToolRun.withInput(qubesd, "data", "qvm-run", "-p", "sys-net", "cat");
        assertEquals(0, run.code(), run.err());
        assertEquals("bulkhead.vm.RunWithInput+ sys-net 3\ncatdata", qubesd.calls().get(1));
    }

    @Test
    void unsupportedAndInvalidOptions() {
        ToolRun dispvm = ToolRun.run(qubesd, "qvm-run", "--dispvm", "--", "xterm");
        assertEquals(1, dispvm.code());
        assertTrue(dispvm.err().contains("--dispvm is not supported by Bulkhead yet"), dispvm.err());
        assertEquals("qvm-run: error: the following arguments are required: COMMAND", ToolRun.run(qubesd, "qvm-run", "work").lastErrLine());
        assertEquals("qvm-run: error: --no-shell does not apply to --service",
                ToolRun.run(qubesd, "qvm-run", "--service", "--no-shell", "work", "x").lastErrLine());
        assertEquals("qvm-run: error: no such domain: 'nope'", ToolRun.run(qubesd, "qvm-run", "nope", "true").lastErrLine());
    }
}
