package io.bulkhead.core.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.bulkhead.core.admin.internal.wire.RequestDecoder;
import io.bulkhead.core.domains.event.QubesEventListener;

/** The socket end to end: framing, partial writes, errors, size limit, admin.Events. */
class AdminSocketServerTest {
    @TempDir
    Path dataDir;

    private AdminFixture admin;
    private EventHub events;
    private AdminSocketServer server;
    private Path socket;

    @BeforeEach
    void start() throws IOException {
        admin = new AdminFixture(dataDir);
        events = new EventHub();
        socket = dataDir.resolve("run/qubesd.sock");
        server = new AdminSocketServer(socket, admin.dispatcher, events, new CommandStream(() -> Optional.of(new LocalShellQrexec())), 8);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private String exchange(byte[]... parts) throws IOException, InterruptedException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            for (byte[] part : parts) {
                channel.write(ByteBuffer.wrap(part));
                Thread.sleep(5);
            }
            channel.shutdownOutput();
            return readAll(channel);
        }
    }

    private static String readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void socketIsOwnerOnly() throws IOException {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void answersARequestWrittenInPieces() throws Exception {
        String response = exchange(ascii("admin.vm"), ascii("class.List+ dom0 na"), ascii("me dom0\0"));
        assertTrue(response.startsWith("0\0"), response);
        assertTrue(response.contains("AppVM\n") && response.contains("TemplateVM\n"), response);
    }

    @Test
    void errorsCarryTheQubesClassName() throws Exception {
        assertEquals("2\0QubesVMNotFoundError\0\0No such domain: 'ghost'\0".split("\0")[1],
                exchange(ascii("admin.vm.List+ dom0 name ghost\0")).split("\0")[1]);
        String unknown = exchange(ascii("admin.vm.Frobnicate+ dom0 name dom0\0"));
        assertEquals("2\0ProtocolError\0\0no such method: admin.vm.Frobnicate\0", unknown);
        String malformed = exchange(ascii("garbage without nul"));
        assertTrue(malformed.startsWith("2\0ProtocolError\0\0malformed request"), malformed);
        String badPayload = exchange(ascii("admin.vm.property.Set+label dom0 name dom0\0"), new byte[] {(byte) 0xc3});
        assertTrue(badPayload.startsWith("2\0ProtocolError\0"), badPayload);
    }

    @Test
    void oversizedRequestIsAbortedWithoutAnswer() throws Exception {
        byte[] big = new byte[RequestDecoder.MAX_REQUEST_BYTES + 10];
        System.arraycopy(ascii("admin.vm.List+ dom0 name dom0\0"), 0, big, 0, 30);
        String response;
        try {
            response = exchange(big);
        } catch (IOException e) {
            response = "";
        }
        assertEquals("", response);
        assertTrue(exchange(ascii("admin.vm.List+ dom0 name dom0\0")).startsWith("0\0dom0 "), "server keeps serving");
    }

    @Test
    void sourceNamedByTheClientCannotImpersonateAQube() throws Exception {
        admin.call("admin.vm.Create.TemplateVM", "", "dom0", "name=debian label=black");
        exchange(ascii("admin.vm.Create.AppVM+debian work name dom0\0name=mail label=red"));
        assertEquals("1", admin.call("admin.vm.tag.Get", "created-by-dom0", "mail", ""));
    }

    @Test
    void eventsStreamStartsWithConnectionEstablishedAndCarriesModelEvents() throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(ascii("admin.Events+ dom0 name dom0\0")));
            channel.shutdownOutput();
            BlockingQueue<String> frames = new ArrayBlockingQueue<>(64);
            Thread reader = new Thread(() -> readFrames(channel, frames));
            reader.setDaemon(true);
            reader.start();
            assertEquals("1\0\0connection-established\0\0", frames.poll(5, TimeUnit.SECONDS));
            waitForSubscriber();
            QubesEventListener forward = events::publish;
            forward.onEvent(new io.bulkhead.core.domains.event.TagEvent(true, "dom0", "audited"));
            String frame = frames.poll(5, TimeUnit.SECONDS);
            assertTrue(frame != null && frame.startsWith("1\0dom0\0"), String.valueOf(frame));
            assertTrue(frame.contains("audited"), frame);
        }
    }

    private void waitForSubscriber() throws InterruptedException {
        for (int i = 0; i < 200 && events.subscriberCount() == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, events.subscriberCount());
    }

    /** Splits the stream into event frames: "1\0" subject event (key value)* "\0". */
    private static void readFrames(SocketChannel channel, BlockingQueue<String> frames) {
        try {
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocate(1);
            byte previous = 1;
            while (channel.read(one) > 0) {
                byte b = one.get(0);
                one.clear();
                current.write(b);
                if (b == 0 && previous == 0 && current.size() > 3) {
                    frames.add(current.toString(StandardCharsets.UTF_8));
                    current.reset();
                    previous = 1;
                    continue;
                }
                previous = b;
            }
        } catch (IOException e) {
            // stream closed
        }
    }

    @Test
    void runStreamsStdoutStderrAndTheExitCodeInFrames() throws Exception {
        admin.call("admin.vm.Create.TemplateVM", "", "dom0", "name=debian label=black");
        String answer = exchange(ascii("bulkhead.vm.Run+user dom0 name debian\0echo hi; echo oops >&2; exit 3"));
        assertTrue(answer.startsWith("0\0"), answer);
        String frames = answer.substring(2);
        assertTrue(frames.contains("O\0\0\0\3hi\n"), frames);
        assertTrue(frames.contains("E\0\0\0\5oops\n"), frames);
        assertTrue(frames.endsWith("X\0\0\0\1" + "3"), frames);
        String toDom0 = exchange(ascii("bulkhead.vm.Run+user dom0 name dom0\0true"));
        assertTrue(toDom0.startsWith("2\0ProtocolError\0"), toDom0);
    }

    @Test
    void runWithInputFeedsTheCommandWhileItsOutputStreams() throws Exception {
        admin.call("admin.vm.Create.TemplateVM", "", "dom0", "name=debian label=black");
        String command = "tr a-z A-Z";
        String answer = exchange(ascii("bulkhead.vm.RunWithInput+user dom0 name debian\0" + command.length() + "\n" + command),
                ascii("hello "), ascii("world\n"));
        assertTrue(answer.startsWith("0\0"), answer);
        assertTrue(answer.contains("HELLO WORLD\n"), answer);
        assertTrue(answer.endsWith("X\0\0\0\1" + "0"), answer);

        String malformed = exchange(ascii("bulkhead.vm.RunWithInput+user dom0 name debian\0tr a-z A-Z"));
        assertTrue(malformed.startsWith("2\0ProtocolError\0"), malformed);
        String toDom0 = exchange(ascii("bulkhead.vm.RunWithInput+user dom0 name dom0\04\ntrue"));
        assertTrue(toDom0.startsWith("2\0ProtocolError\0"), toDom0);
    }

    @Test
    void secondServerOnTheSameSocketIsRefused() {
        IOException error = assertThrows(IOException.class, () -> new AdminSocketServer(socket, admin.dispatcher, events, new CommandStream(Optional::empty), 1));
        assertTrue(error.getMessage().contains("another dom0"), error.getMessage());
    }
}
