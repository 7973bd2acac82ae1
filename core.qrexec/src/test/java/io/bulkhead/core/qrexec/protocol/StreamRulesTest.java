package io.bulkhead.core.qrexec.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Order rules of data and control connections. */
class StreamRulesTest {

    private static Message data(int type, int len) {
        return new Message(type, new byte[len]);
    }

    @Test
    void serviceSideSendsHelloThenOutputThenOneExitCode() throws Exception {
        DataStreamChecker c = new DataStreamChecker(DataStreamChecker.Sender.SERVICE, 4);
        assertThrows(ProtocolException.class, () -> c.accept(data(MessageType.DATA_STDOUT, 1)), "data before hello");
        DataStreamChecker s = new DataStreamChecker(DataStreamChecker.Sender.SERVICE, 4);
        s.accept(Message.hello(3));
        assertEquals(3, s.version());
        s.accept(data(MessageType.DATA_STDOUT, 100));
        s.accept(data(MessageType.DATA_STDERR, 0));
        assertThrows(ProtocolException.class, () -> s.accept(data(MessageType.DATA_STDERR, 1)), "stderr after its EOF");
        s.accept(data(MessageType.DATA_STDOUT, 0));
        s.accept(Message.exitCode(0));
        assertTrue(s.isDone());
        assertThrows(ProtocolException.class, () -> s.accept(data(MessageType.DATA_STDOUT, 0)), "after exit code");
    }

    @Test
    void serviceSideMaySkipEofsBeforeTheExitCode() {
        DataStreamChecker s = new DataStreamChecker(DataStreamChecker.Sender.SERVICE, 4);
        assertDoesNotThrow(() -> {
            s.accept(Message.hello(4));
            s.accept(Message.exitCode(0));
        });
    }

    @Test
    void callerSendsOnlyStdin() throws Exception {
        DataStreamChecker c = new DataStreamChecker(DataStreamChecker.Sender.CALLER, 4);
        c.accept(Message.hello(4));
        assertThrows(ProtocolException.class, () -> c.accept(Message.hello(4)), "second hello");
        DataStreamChecker d = new DataStreamChecker(DataStreamChecker.Sender.CALLER, 4);
        d.accept(Message.hello(4));
        assertThrows(ProtocolException.class, () -> d.accept(data(MessageType.DATA_STDOUT, 3)));
        DataStreamChecker e = new DataStreamChecker(DataStreamChecker.Sender.CALLER, 4);
        e.accept(Message.hello(4));
        e.accept(data(MessageType.DATA_STDIN, 65536));
        e.accept(data(MessageType.DATA_STDIN, 0));
        assertTrue(e.isDone());
        assertThrows(ProtocolException.class, () -> e.accept(data(MessageType.DATA_STDIN, 1)));
    }

    @Test
    void version2LimitsChunksTo4k() throws Exception {
        DataStreamChecker c = new DataStreamChecker(DataStreamChecker.Sender.CALLER, 4);
        c.accept(Message.hello(2));
        c.accept(data(MessageType.DATA_STDIN, 4096));
        assertThrows(ProtocolException.class, () -> c.accept(data(MessageType.DATA_STDIN, 4097)));
    }

    @Test
    void agentTriggerTypeMustMatchTheVersion() throws Exception {
        byte[] v2 = new TriggerServiceParams("", "t", "i", "s").encode(MessageType.TRIGGER_SERVICE);
        byte[] v3 = new TriggerServiceParams("", "t", "i", "s").encode(MessageType.TRIGGER_SERVICE3);
        byte[] v4 = new TriggerServiceParams("", "t", "i", "s").encode(MessageType.TRIGGER_SERVICE4);

        ControlChecker at2 = helloed(2);
        at2.accept(new Message(MessageType.TRIGGER_SERVICE, v2));
        assertThrows(ProtocolException.class, () -> at2.accept(new Message(MessageType.TRIGGER_SERVICE3, v3)));

        ControlChecker at3 = helloed(3);
        at3.accept(new Message(MessageType.TRIGGER_SERVICE3, v3));
        assertThrows(ProtocolException.class, () -> helloed(3).accept(new Message(MessageType.TRIGGER_SERVICE4, v4)));
        assertThrows(ProtocolException.class, () -> helloed(3).accept(new Message(MessageType.TRIGGER_SERVICE, v2)));

        ControlChecker at4 = helloed(4);
        at4.accept(new Message(MessageType.TRIGGER_SERVICE4, v4));
        at4.accept(new Message(MessageType.TRIGGER_SERVICE3, v3));
        at4.accept(new Message(MessageType.CONNECTION_TERMINATED, new byte[8]));
        assertThrows(ProtocolException.class, () -> at4.accept(new Message(MessageType.EXEC_CMDLINE, new ExecParams(0, 1, "a:b").encode())),
                "agents do not send daemon messages");
        assertThrows(ProtocolException.class, () -> at4.accept(Message.hello(4)));
    }

    @Test
    void controlLinkStartsWithHello() {
        ControlChecker c = new ControlChecker(ControlChecker.Sender.AGENT, 4);
        assertThrows(ProtocolException.class, () -> c.accept(new Message(MessageType.CONNECTION_TERMINATED, new byte[8])));
        ControlChecker old = new ControlChecker(ControlChecker.Sender.AGENT, 4);
        assertThrows(ProtocolException.class, () -> old.accept(Message.hello(1)), "protocol 1 is not supported");
    }

    private static ControlChecker helloed(int version) throws ProtocolException {
        ControlChecker c = new ControlChecker(ControlChecker.Sender.AGENT, 4);
        c.accept(Message.hello(version));
        assertEquals(version, c.version());
        return c;
    }
}
