package io.bulkhead.qvm.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.bulkhead.qvm.testing.FakeQubesd;

@Timeout(10)
class QubesdClientTest {
    private FakeQubesd qubesd;
    private QubesdClient client;

    @BeforeEach
    void start() throws IOException {
        qubesd = new FakeQubesd();
        client = new QubesdClient(qubesd.socket());
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    @Test
    void sendsTheR41HeaderThenThePayloadAndHalfCloses() {
        qubesd.ok("admin.vm.property.Set", "netvm", "work", "");
        client.call("work", "admin.vm.property.Set", "netvm", "sys-firewall".getBytes(StandardCharsets.UTF_8));
        // the fake only answers after reading to end of stream: getting here proves the half-close
        assertArrayEquals("admin.vm.property.Set+netvm dom0 name work\0sys-firewall".getBytes(StandardCharsets.US_ASCII),
                qubesd.rawRequests().get(0));
    }

    @Test
    void alwaysSendsThePlusEvenWithoutArgument() {
        qubesd.ok("admin.vm.List", "dom0", "");
        client.call("dom0", "admin.vm.List", "", new byte[0]);
        assertArrayEquals("admin.vm.List+ dom0 name dom0\0".getBytes(StandardCharsets.US_ASCII), qubesd.rawRequests().get(0));
    }

    @Test
    void returnsTheValueOfASuccessAnswer() {
        qubesd.ok("admin.vm.property.Get", "label", "work", "default=False type=label blue");
        assertEquals("default=False type=label blue",
                new String(client.call("work", "admin.vm.property.Get", "label", new byte[0]), StandardCharsets.UTF_8));
    }

    @Test
    void anErrorAnswerBecomesATypedException() {
        qubesd.on("admin.vm.Start", "", "work", FakeQubesd.error("QubesVMNotHaltedError", "Domain is running: work"));
        QubesCallException e = assertThrows(QubesCallException.class, () -> client.call("work", "admin.vm.Start", "", new byte[0]));
        assertEquals("QubesVMNotHaltedError", e.qubesClass());
        assertEquals("Domain is running: work", e.getMessage());
        assertTrue(e.isA("QubesVMError"));
        assertTrue(e.isQubesException());
    }

    @Test
    void errorArgumentsAreSubstitutedAsPythonDoes() {
        qubesd.on("admin.vm.Kill", "", "work",
                ("2\0QubesVMNotStartedError\0\0Domain is not running: %s (%d%%)\0work\0" + "100\0").getBytes(StandardCharsets.UTF_8));
        QubesCallException e = assertThrows(QubesCallException.class, () -> client.call("work", "admin.vm.Kill", "", new byte[0]));
        assertEquals("Domain is not running: work (100%)", e.getMessage());
    }

    @Test
    void anEmptyAnswerIsReportedAsQubesadminDoes() {
        qubesd.on("admin.vm.List", "", "dom0", new byte[0]);
        QubesCallException e = assertThrows(QubesCallException.class, () -> client.call("dom0", "admin.vm.List", "", new byte[0]));
        assertEquals("QubesDaemonAccessError", e.qubesClass());
        assertEquals("Got empty response from qubesd. See journalctl in dom0 for details.", e.getMessage());
    }

    @Test
    void anUnreadableAnswerIsAnError() {
        qubesd.on("admin.vm.List", "", "dom0", "hello".getBytes(StandardCharsets.US_ASCII));
        QubesCallException e = assertThrows(QubesCallException.class, () -> client.call("dom0", "admin.vm.List", "", new byte[0]));
        assertEquals("Invalid response format", e.getMessage());
    }

    @Test
    void protocolErrorAndPermissionDeniedAreNotQubesExceptions() {
        assertFalse(new QubesCallException("ProtocolError", "x").isQubesException());
        assertFalse(new QubesCallException("PermissionDenied", "x").isA("QubesException"));
        assertTrue(new QubesCallException("QubesVMNotPausedError", "x").isA("QubesVMNotStartedError"));
        assertFalse(new QubesCallException("QubesVMNotHaltedError", "x").isA("QubesVMNotStartedError"));
        assertTrue(new QubesCallException("SomeFutureError", "x").isA("QubesException"));
    }

    @Test
    void headerFieldsThatCannotTravelAreRefusedBeforeConnecting() {
        QubesCallException e = assertThrows(QubesCallException.class,
                () -> client.call("work", "admin.vm.tag.Set", "two words", new byte[0]));
        assertEquals("QubesValueError", e.qubesClass());
        assertTrue(e.getMessage().contains("'two words'"), e.getMessage());
        assertTrue(qubesd.requests().isEmpty());
    }

    @Test
    void requestsOverTheQubesdLimitAreRefused() {
        QubesCallException e = assertThrows(QubesCallException.class,
                () -> client.call("work", "admin.vm.feature.Set", "big", new byte[65536]));
        assertTrue(e.getMessage().contains("exceeds the qubesd limit of 65536 bytes"), e.getMessage());
    }

    @Test
    void aMissingSocketTellsToStartDom0(@TempDir Path dir) {
        Path socket = dir.resolve("run/qubesd.sock");
        QubesCallException e = assertThrows(QubesCallException.class,
                () -> new QubesdClient(socket).call("dom0", "admin.vm.List", "", new byte[0]));
        assertEquals("QubesDaemonCommunicationError", e.qubesClass());
        assertEquals("dom0 is not running: there is no Admin API socket " + socket
                + "; start dom0 with ./bulkhead dom0 (or set BULKHEAD_ADMIN_SOCKET to its socket)", e.getMessage());
    }

    @Test
    void aSocketLeftBehindTellsToStartDom0(@TempDir Path dir) throws IOException {
        Path socket = dir.resolve("qubesd.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        QubesCallException e = assertThrows(QubesCallException.class,
                () -> new QubesdClient(socket).call("dom0", "admin.vm.List", "", new byte[0]));
        assertTrue(e.getMessage().startsWith("dom0 is not running (nobody listens on " + socket), e.getMessage());
    }

    @Test
    void theSocketComesFromTheEnvironment() {
        assertEquals(Path.of("/x/qubesd.sock"), QubesdClient.defaultSocket(Map.of("BULKHEAD_ADMIN_SOCKET", "/x/qubesd.sock",
                "BULKHEAD_DATA", "/data"), "/home/u"));
        assertEquals(Path.of("/data/run/qubesd.sock"), QubesdClient.defaultSocket(Map.of("BULKHEAD_DATA", "/data"), "/home/u"));
        assertEquals(Path.of("/home/u/.bulkhead/run/qubesd.sock"), QubesdClient.defaultSocket(Map.of(), "/home/u"));
    }

    @Test
    void eventsAreReadFrameByFrame() throws IOException {
        qubesd.on("admin.Events", "", "dom0", (request, out) -> {
            out.write("1\0\0connection-established\0\0".getBytes(StandardCharsets.UTF_8));
            out.write("1\0work\0property-set:netvm\0name\0netvm\0newvalue\0sys-firewall\0oldvalue\0sys-net\0\0"
                    .getBytes(StandardCharsets.UTF_8));
        });
        try (EventStream events = client.events("dom0")) {
            assertEquals(Optional.of(new QubesEvent("", "connection-established", Map.of())), events.next());
            QubesEvent event = events.next().orElseThrow();
            assertEquals("work", event.subject());
            assertEquals("property-set:netvm", event.name());
            assertEquals(List.of("name", "newvalue", "oldvalue"), List.copyOf(event.arguments().keySet()));
            assertEquals("sys-firewall", event.arguments().get("newvalue"));
            assertEquals(Optional.empty(), events.next());
        }
        assertEquals("admin.Events+ dom0", qubesd.calls().get(0));
    }

    @Test
    void anEventStreamRefusedWithAnErrorThrowsIt() throws IOException {
        qubesd.on("admin.Events", "", "work", FakeQubesd.error("PermissionDenied", "denied"));
        try (EventStream events = client.events("work")) {
            QubesCallException e = assertThrows(QubesCallException.class, events::next);
            assertEquals("PermissionDenied", e.qubesClass());
        }
    }

    @Test
    void anEventCutInTheMiddleIsReported() throws IOException {
        qubesd.on("admin.Events", "", "dom0", (request, out) -> out.write("1\0work\0domain-st".getBytes(StandardCharsets.UTF_8)));
        try (EventStream events = client.events("dom0")) {
            QubesCallException e = assertThrows(QubesCallException.class, events::next);
            assertEquals("admin.Events stream cut inside an event", e.getMessage());
        }
    }
}
