package io.bulkhead.core.qrexec.protocol;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Arbitrary bytes never make the strict parsers do anything but return or throw ProtocolException. */
class ParserPropertiesTest {

    @Property(tries = 2000)
    void readerOnlyThrowsProtocolErrors(@ForAll @Size(max = 200) byte[] input) throws Exception {
        MessageReader r = new MessageReader(new ByteArrayInputStream(input));
        try {
            while (r.read() != null) {
                // consume
            }
        } catch (ProtocolException | EOFException expected) {
            // the only acceptable failures
        }
    }

    @Property(tries = 2000)
    void triggerDecodingNeverCrashes(@ForAll @Size(min = 97, max = 400) byte[] payload) throws Exception {
        for (int type : new int[] {MessageType.TRIGGER_SERVICE3, MessageType.TRIGGER_SERVICE4}) {
            try {
                TriggerServiceParams.decode(type, payload);
            } catch (ProtocolException expected) {
                // size rules
            }
        }
    }

    @Property(tries = 2000)
    void paramsDecodingNeverCrashes(@ForAll @Size(max = 100) byte[] payload) {
        try {
            ExecParams.decode(payload);
        } catch (ProtocolException expected) {
            // fine
        }
        try {
            ExecParams.decodeServiceConnect(payload);
        } catch (ProtocolException expected) {
            // fine
        }
        try {
            CommandLine.parse(new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (ProtocolException expected) {
            // fine
        }
    }
}
