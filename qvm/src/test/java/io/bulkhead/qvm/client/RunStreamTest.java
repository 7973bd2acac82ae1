package io.bulkhead.qvm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RunStreamTest {

    static byte[] frame(char kind, byte[] data) {
        return ByteBuffer.allocate(5 + data.length).put((byte) kind).putInt(data.length).put(data).array();
    }

    static byte[] frame(char kind, String data) {
        return frame(kind, data.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] answer(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'0', 0});
        for (byte[] frame : frames) {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    @Test
    void copiesStdoutAndStderrInOrderAndReturnsTheExitCode() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        byte[] binary = {0, 1, 2, (byte) 0xff};
        int code = RunStream.copy(new ByteArrayInputStream(answer(frame('O', "hello "), frame('E', "warn\n"), frame('O', binary),
                frame('X', "3"))), out, err);
        assertEquals(3, code);
        assertEquals("hello ", new String(out.toByteArray(), 0, 6, StandardCharsets.UTF_8));
        assertEquals(10, out.size());
        assertEquals("warn\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void discardsOutputWhenNotPassed() throws IOException {
        assertEquals(0, RunStream.copy(new ByteArrayInputStream(answer(frame('O', "x"), frame('X', "0"))), null, null));
    }

    @Test
    void anErrorBeforeStartIsThrown() {
        QubesCallException e = assertThrows(QubesCallException.class, () -> RunStream.copy(
                new ByteArrayInputStream("2\0QubesVMNotRunningError\0\0work is not running\0".getBytes(StandardCharsets.UTF_8)),
                null, null));
        assertEquals("QubesVMNotRunningError", e.qubesClass());
        assertEquals("work is not running", e.getMessage());
    }

    @Test
    void aFailureFrameIsThrown() {
        QubesCallException e = assertThrows(QubesCallException.class, () -> RunStream.copy(
                new ByteArrayInputStream(answer(frame('F', "QubesVMError\0the qube died"))), null, null));
        assertEquals("QubesVMError", e.qubesClass());
        assertEquals("the qube died", e.getMessage());
    }

    @Test
    void aStreamEndingBeforeTheExitCodeIsAnError() {
        QubesCallException e = assertThrows(QubesCallException.class,
                () -> RunStream.copy(new ByteArrayInputStream(answer(frame('O', "partial"))), null, null));
        assertEquals("qubesd closed the command's output before its exit code", e.getMessage());
        byte[] cut = answer(frame('O', "partial"));
        QubesCallException cutFrame = assertThrows(QubesCallException.class,
                () -> RunStream.copy(new ByteArrayInputStream(cut, 0, cut.length - 3), null, null));
        assertEquals("command output cut inside a frame", cutFrame.getMessage());
    }

    @Test
    void anEmptyAnswerIsQubesdsEmptyResponse() {
        QubesCallException e = assertThrows(QubesCallException.class,
                () -> RunStream.copy(new ByteArrayInputStream(new byte[0]), null, null));
        assertEquals(QubesdProtocol.EMPTY_RESPONSE, e.getMessage());
    }
}
