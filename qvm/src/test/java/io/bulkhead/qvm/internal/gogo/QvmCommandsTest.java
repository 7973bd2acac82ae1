package io.bulkhead.qvm.internal.gogo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.QubesVMNotFoundError;
import io.bulkhead.qvm.testing.Fixtures;

/** The Gogo commands over an in-process AdminApi, printing to System.out as a Gogo session sees it. */
class QvmCommandsTest {
    private final List<AdminRequest> requests = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void redirect() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private QvmCommands commands(AdminApi api) {
        return new QvmCommands(request -> {
            requests.add(request);
            return api.call(request);
        });
    }

    @Test
    void lsRunsQvmLsInProcess() {
        commands(request -> request.method().equals("admin.vm.List") ? Fixtures.LIST : "").ls("--raw-list");
        assertEquals("debian-12\ndom0\nsys-net\nwork\n", out.toString(StandardCharsets.UTF_8));
        AdminRequest list = requests.get(0);
        assertEquals(List.of("admin.vm.List", "", "dom0", "dom0", 0),
                List.of(list.method(), list.argument(), list.source(), list.destination(), list.payload().length));
    }

    @Test
    void prefsSetSendsThePayload() {
        commands(request -> request.method().equals("admin.vm.List") ? Fixtures.LIST : "").prefs("work", "memory", "1024");
        AdminRequest set = requests.get(1);
        assertEquals(List.of("admin.vm.property.Set", "memory", "dom0", "work", "1024"),
                List.of(set.method(), set.argument(), set.source(), set.destination(), set.payloadText()));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void modelExceptionsKeepTheirQubesClass() {
        commands(request -> {
            if (request.method().equals("admin.vm.List")) {
                return Fixtures.LIST;
            }
            throw new QubesVMNotFoundError("work");
        }).features("work", "gui");
        String message = new QubesVMNotFoundError("work").getMessage();
        assertEquals("qvm-features: error: " + message + "\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unexpectedFailuresAreReportedNotThrown() {
        commands(request -> {
            throw new IllegalStateException("store broken");
        }).ls();
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("qvm-ls: error: Got empty response from qubesd. See journalctl in dom0 for details."), text);
        assertTrue(text.contains("store broken"), text);
    }

    @Test
    void runNeedsTheSocket() {
        commands(request -> Fixtures.LIST).run("-p", "sys-net", "true");
        assertEquals("sys-net: bulkhead.vm.RunWithInput streams its answer: it needs the qubesd socket and cannot be called in process\n",
                err.toString(StandardCharsets.UTF_8));
    }
}
