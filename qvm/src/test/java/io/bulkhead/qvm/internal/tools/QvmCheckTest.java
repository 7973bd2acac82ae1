package io.bulkhead.qvm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.Fixtures;
import io.bulkhead.qvm.testing.ToolRun;

@Timeout(20)
class QvmCheckTest {
    private FakeQubesd qubesd;

    @BeforeEach
    void start() throws IOException {
        qubesd = Fixtures.standard(new FakeQubesd());
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    @Test
    void existence() {
        ToolRun run = ToolRun.run(qubesd, "qvm-check", "work", "sys-net");
        assertEquals(0, run.code());
        assertEquals("qvm-check: sys-net: exists\nqvm-check: work: exists\n", run.err());
        ToolRun missing = ToolRun.run(qubesd, "qvm-check", "work", "nope");
        assertEquals(1, missing.code());
        assertEquals("qvm-check: work: exists\nqvm-check: nope: non-existent!\n", missing.err());
        ToolRun quiet = ToolRun.run(qubesd, "qvm-check", "-q", "nope");
        assertEquals(1, quiet.code());
        assertEquals("nope: non-existent!\n", quiet.err());
    }

    @Test
    void runningIsZeroOneOrThree() {
        ToolRun all = ToolRun.run(qubesd, "qvm-check", "--running", "sys-net");
        assertEquals(0, all.code());
        assertEquals("qvm-check: sys-net: running\n", all.err());
        ToolRun none = ToolRun.run(qubesd, "qvm-check", "--running", "work");
        assertEquals(1, none.code());
        assertEquals("qvm-check: None of qubes: running\n", none.err());
        assertEquals(3, ToolRun.run(qubesd, "qvm-check", "--running", "work", "sys-net").code());
        assertEquals("", ToolRun.run(qubesd, "qvm-check", "-q", "--running", "work").err());
    }

    @Test
    void templateNetworkedAndPaused() {
        assertEquals(0, ToolRun.run(qubesd, "qvm-check", "--template", "debian-12").code());
        assertEquals(1, ToolRun.run(qubesd, "qvm-check", "--template", "work").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-check", "--networked", "work", "sys-net").code());
        assertEquals(1, ToolRun.run(qubesd, "qvm-check", "--networked", "debian-12").code());
        assertEquals(1, ToolRun.run(qubesd, "qvm-check", "--paused", "sys-net").code());
    }

    @Test
    void needsAQube() {
        ToolRun run = ToolRun.run(qubesd, "qvm-check");
        assertEquals(2, run.code());
        assertEquals("qvm-check: error: one of the arguments --all VMNAME is required", run.lastErrLine());
    }
}
