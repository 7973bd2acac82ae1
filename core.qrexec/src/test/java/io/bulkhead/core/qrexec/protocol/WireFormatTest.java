package io.bulkhead.core.qrexec.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Byte-exact layouts of Qubes' structs (libqrexec/qrexec.h) and the strict reader. */
class WireFormatTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void messageTypeValuesAreQubes() {
        assertEquals(0x200, MessageType.EXEC_CMDLINE);
        assertEquals(0x201, MessageType.JUST_EXEC);
        assertEquals(0x202, MessageType.SERVICE_CONNECT);
        assertEquals(0x203, MessageType.SERVICE_REFUSED);
        assertEquals(0x210, MessageType.TRIGGER_SERVICE);
        assertEquals(0x211, MessageType.CONNECTION_TERMINATED);
        assertEquals(0x212, MessageType.TRIGGER_SERVICE3);
        assertEquals(0x213, MessageType.TRIGGER_SERVICE4);
        assertEquals(0x300, MessageType.HELLO);
        assertEquals(0x190, MessageType.DATA_STDIN);
        assertEquals(0x191, MessageType.DATA_STDOUT);
        assertEquals(0x192, MessageType.DATA_STDERR);
        assertEquals(0x193, MessageType.DATA_EXIT_CODE);
    }

    @Test
    void helloIsLittleEndianHeaderAndPeerInfo() {
        assertEquals("00030000" + "04000000" + "04000000", HEX.formatHex(Message.hello(4).encode()));
    }

    @Test
    void exitCodeIsInt32AndShortPayloadMeans255() {
        assertEquals("93010000" + "04000000" + "7e000000", HEX.formatHex(Message.exitCode(126).encode()));
        assertEquals(-1, ExitStatus.decode(ExitStatus.encode(-1)));
        assertEquals(255, ExitStatus.decode(new byte[] {1, 0}));
    }

    @Test
    void eofIsAnEmptyMessageOfTheStreamType() {
        assertEquals("91010000" + "00000000", HEX.formatHex(Message.eof(MessageType.DATA_STDOUT).encode()));
        assertTrue(Message.eof(MessageType.DATA_STDIN).isEof());
        assertFalse(new Message(MessageType.DATA_EXIT_CODE, new byte[0]).isEof());
    }

    @Test
    void execParamsAreDomainPortAndNulTerminatedCommand() throws Exception {
        byte[] p = new ExecParams(3, 514, "user:ls").encode();
        assertEquals("03000000" + "02020000" + HEX.formatHex("user:ls".getBytes(StandardCharsets.US_ASCII)) + "00",
                HEX.formatHex(p));
        assertEquals(new ExecParams(3, 514, "user:ls"), ExecParams.decode(p));
        assertEquals(8, new ExecParams(1, 2, null).encode().length);
    }

    @Test
    void execParamsRejectMissingTerminatorAndEmbeddedNul() {
        assertThrows(ProtocolException.class, () -> ExecParams.decode(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 'a'}));
        assertThrows(ProtocolException.class, () -> ExecParams.decode(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 'b', 0}));
        assertThrows(ProtocolException.class, () -> ExecParams.decode(new byte[8]));
    }

    @Test
    void serviceConnectIsExecParamsPlus32ByteIdent() throws Exception {
        byte[] p = ExecParams.encodeServiceConnect(0, 7, "SOCKET12");
        assertEquals(40, p.length);
        assertEquals("00000000" + "07000000" + HEX.formatHex("SOCKET12".getBytes(StandardCharsets.US_ASCII)) + "00".repeat(24),
                HEX.formatHex(p));
        assertEquals(new ExecParams(0, 7, "SOCKET12"), ExecParams.decodeServiceConnect(p));
        p[30] = 'x';
        assertThrows(ProtocolException.class, () -> ExecParams.decodeServiceConnect(p), "garbage after the NUL");
    }

    @Test
    void identRulesFollowTheDaemon() throws Exception {
        assertEquals("a-b_c.d e", ServiceParams.decode(ServiceParams.encode("a-b_c.d e")));
        byte[] bad = ServiceParams.encode("abc");
        bad[1] = '/';
        assertThrows(ProtocolException.class, () -> ServiceParams.decode(bad));
        byte[] unterminated = new byte[32];
        java.util.Arrays.fill(unterminated, (byte) 'a');
        assertThrows(ProtocolException.class, () -> ServiceParams.decode(unterminated));
        assertThrows(IllegalArgumentException.class, () -> ServiceParams.encode("x".repeat(32)));
    }

    @Test
    void triggerV2IsService64Target32Ident32() throws Exception {
        TriggerServiceParams t = new TriggerServiceParams("", "vault", "SOCKET3", "qubes.Gpg+x");
        byte[] p = t.encode(MessageType.TRIGGER_SERVICE);
        assertEquals(128, p.length);
        assertEquals("qubes.Gpg+x", new String(p, 0, 11, StandardCharsets.US_ASCII));
        assertEquals("vault", new String(p, 64, 5, StandardCharsets.US_ASCII));
        assertEquals("SOCKET3", new String(p, 96, 7, StandardCharsets.US_ASCII));
        assertEquals(t, TriggerServiceParams.decode(MessageType.TRIGGER_SERVICE, p).params());
    }

    @Test
    void triggerV3AndV4PutTheServiceNameLast() throws Exception {
        TriggerServiceParams t = new TriggerServiceParams("relay", "@dispvm:web", "SOCKET9", "qubes.OpenURL");
        byte[] v3 = t.encode(MessageType.TRIGGER_SERVICE3);
        assertEquals(96 + 13 + 1, v3.length);
        assertEquals("@dispvm:web", new String(v3, 0, 11, StandardCharsets.US_ASCII));
        assertEquals("SOCKET9", new String(v3, 64, 7, StandardCharsets.US_ASCII));
        assertEquals("qubes.OpenURL", new String(v3, 96, 13, StandardCharsets.US_ASCII));
        byte[] v4 = t.encode(MessageType.TRIGGER_SERVICE4);
        assertEquals(160 + 14, v4.length);
        assertEquals("relay", new String(v4, 0, 5, StandardCharsets.US_ASCII));
        assertEquals("@dispvm:web", new String(v4, 64, 11, StandardCharsets.US_ASCII));
        assertEquals("SOCKET9", new String(v4, 128, 7, StandardCharsets.US_ASCII));
        assertEquals(t, TriggerServiceParams.decode(MessageType.TRIGGER_SERVICE4, v4).params());
        assertEquals(new TriggerServiceParams("", "@dispvm:web", "SOCKET9", "qubes.OpenURL"),
                TriggerServiceParams.decode(MessageType.TRIGGER_SERVICE3, v3).params());
    }

    @Test
    void triggerNamesAreSanitisedAndBadServiceNamesRefused() throws Exception {
        byte[] p = new TriggerServiceParams("", "wo rk$", "id", "qubes.Foo+a/b").encode(MessageType.TRIGGER_SERVICE3);
        TriggerServiceParams.Decoded d = TriggerServiceParams.decode(MessageType.TRIGGER_SERVICE3, p);
        assertTrue(d.isValid());
        assertEquals("wo_rk_", d.params().targetDomain());
        assertEquals("qubes.Foo+a_b", d.params().serviceName());

        byte[] plus = new TriggerServiceParams("", "x", "id", "+arg").encode(MessageType.TRIGGER_SERVICE3);
        assertEquals("service name starts with '+'", TriggerServiceParams.decode(MessageType.TRIGGER_SERVICE3, plus).problem());

        byte[] embedded = new TriggerServiceParams("", "x", "id", "ab").encode(MessageType.TRIGGER_SERVICE3);
        embedded[96 + 1] = 0;
        assertFalse(TriggerServiceParams.decode(MessageType.TRIGGER_SERVICE3, embedded).isValid());

        byte[] badIdent = new TriggerServiceParams("", "x", "id", "svc").encode(MessageType.TRIGGER_SERVICE3);
        badIdent[64] = (byte) 0xff;
        TriggerServiceParams.Decoded bi = TriggerServiceParams.decode(MessageType.TRIGGER_SERVICE3, badIdent);
        assertFalse(bi.isValid());
        assertEquals((byte) 0xff, bi.refusalPayload()[0], "the refusal echoes the ident as received");
    }

    @Test
    void readerRejectsOversizedLengthBeforeAllocating() {
        byte[] header = new byte[8];
        LittleEndian.putInt(header, 0, MessageType.DATA_STDOUT);
        LittleEndian.putInt(header, 4, -1); // 4 GiB
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> new MessageReader(new ByteArrayInputStream(header)).read());
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
    }

    @Test
    void readerRejectsUnknownTypesAndChunksAboveTheVersionLimit() throws Exception {
        byte[] unknown = new Message(0x1234, new byte[0]).encode();
        assertThrows(ProtocolException.class, () -> new MessageReader(new ByteArrayInputStream(unknown)).read());
        byte[] chunk5k = new Message(MessageType.DATA_STDOUT, new byte[5000]).encode();
        assertEquals(5000, new MessageReader(new ByteArrayInputStream(chunk5k)).read().length());
        MessageReader v2 = new MessageReader(new ByteArrayInputStream(chunk5k));
        v2.version(2);
        assertThrows(ProtocolException.class, v2::read);
        byte[] chunk65k = new Message(MessageType.DATA_STDOUT, new byte[65537]).encode();
        assertThrows(ProtocolException.class, () -> new MessageReader(new ByteArrayInputStream(chunk65k)).read());
    }

    @Test
    void readerReportsTruncationAndCleanEnd() throws Exception {
        assertNull(new MessageReader(new ByteArrayInputStream(new byte[0])).read());
        assertThrows(ProtocolException.class, () -> new MessageReader(new ByteArrayInputStream(new byte[5])).read());
        byte[] hello = Message.hello(3).encode();
        byte[] cut = java.util.Arrays.copyOf(hello, 10);
        assertThrows(ProtocolException.class, () -> new MessageReader(new ByteArrayInputStream(cut)).read());
        assertThrows(EOFException.class, () -> new MessageReader(new ByteArrayInputStream(new byte[0])).readRequired("x"));
    }

    @Test
    void fixedSizesPerType() {
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.HELLO, 5, 4));
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.SERVICE_REFUSED, 31, 4));
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.TRIGGER_SERVICE, 127, 4));
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.TRIGGER_SERVICE3, 96, 4));
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.TRIGGER_SERVICE4, 160 + 65001, 4));
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.CONNECTION_TERMINATED, 9, 4));
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.DATA_EXIT_CODE, 5, 4));
        assertThrows(ProtocolException.class, () -> MessageLimits.check(MessageType.EXEC_CMDLINE, 8, 4));
    }

    @Test
    void versionNegotiationTakesTheMinimumAndRejectsOld() throws Exception {
        assertEquals(3, ProtocolVersion.negotiate(4, 3));
        assertEquals(4, ProtocolVersion.negotiate(4, 9));
        assertEquals(4, ProtocolVersion.negotiate(4, -1), "0xffffffff is a huge version, not -1");
        assertThrows(ProtocolException.class, () -> ProtocolVersion.negotiate(4, 1));
        assertEquals(4096, ProtocolVersion.maxDataChunk(2));
        assertEquals(65536, ProtocolVersion.maxDataChunk(3));
        assertArrayEquals(new byte[] {4, 0, 0, 0}, Message.hello(4).payload());
    }
}
