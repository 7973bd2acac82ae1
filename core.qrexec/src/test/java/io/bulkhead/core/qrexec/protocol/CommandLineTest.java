package io.bulkhead.core.qrexec.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Parsing of {@code user:[nogui:]command} as Qubes' parse_qubes_rpc_command. */
class CommandLineTest {

    @Test
    void shellCommand() throws Exception {
        CommandLine c = CommandLine.parse("user:echo a:b c");
        assertEquals("user", c.user());
        assertEquals("echo a:b c", c.command());
        assertNull(c.service());
        assertFalse(c.nogui());
    }

    @Test
    void serviceCallWithArgument() throws Exception {
        CommandLine c = CommandLine.parse("root:nogui:QUBESRPC qubes.Filecopy+a+b work");
        assertTrue(c.nogui());
        assertTrue(c.isService());
        assertEquals(new ServiceCall("qubes.Filecopy", "a+b", "work"), c.service());
        assertEquals("qubes.Filecopy+a+b work", c.service().socketDescriptor());
    }

    @Test
    void serviceWithoutArgumentGetsThePlus() throws Exception {
        ServiceCall s = CommandLine.parse("u:QUBESRPC qubes.Ping dom0").service();
        assertEquals("", s.argument());
        assertEquals("qubes.Ping+", s.descriptor());
    }

    @Test
    void dom0TargetsCarryTheRequestedTarget() throws Exception {
        ServiceCall s = CommandLine.parse("u:QUBESRPC admin.vm.List+ work keyword adminvm").service();
        assertEquals("keyword", s.requestedTargetType());
        assertEquals("adminvm", s.requestedTarget());
        assertEquals("QUBESRPC admin.vm.List+ work keyword adminvm", s.toCommand());
    }

    @Test
    void malformedLinesAreRejected() {
        assertThrows(ProtocolException.class, () -> CommandLine.parse("no colon"));
        assertThrows(ProtocolException.class, () -> CommandLine.parse("u:QUBESRPCx y z"));
        assertThrows(ProtocolException.class, () -> CommandLine.parse("u:QUBESRPC svc"));
        assertThrows(ProtocolException.class, () -> CommandLine.parse("u:QUBESRPC  src"));
        assertThrows(ProtocolException.class, () -> CommandLine.parse("u:QUBESRPC +arg src"));
        assertThrows(ProtocolException.class, () -> CommandLine.parse("u:QUBESRPC svc "));
        assertThrows(ProtocolException.class, () -> CommandLine.parse("u:QUBESRPC " + "s".repeat(256) + " src"));
    }

    @Test
    void serviceRequestValidation() {
        assertNull(QrexecNames.serviceRequestProblem("qubes.Foo+bar-1.2_3+x"));
        assertEquals("empty service name", QrexecNames.serviceRequestProblem(""));
        assertTrue(QrexecNames.serviceRequestProblem("a/b").startsWith("invalid character"));
        assertTrue(QrexecNames.serviceRequestProblem("+x").contains("'+'"));
        assertEquals("svc+", QrexecNames.descriptor("svc"));
        assertEquals("a_b@:c", QrexecNames.sanitizeDomain("a b@:c"));
    }
}
