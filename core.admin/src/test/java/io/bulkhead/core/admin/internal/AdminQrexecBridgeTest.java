package io.bulkhead.core.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.bulkhead.core.qrexec.Dom0RpcCall;

/** Admin calls that arrive from qubes through qrexec (after policy allowed them). */
class AdminQrexecBridgeTest {
    @TempDir
    Path dataDir;

    private AdminFixture admin;
    private AdminQrexecBridge bridge;
    private final EventHub events = new EventHub();

    @BeforeEach
    void setUp() {
        admin = new AdminFixture(dataDir);
        ((io.bulkhead.core.domains.internal.DomainsServiceImpl) admin.domains).addListener(events::publish, 0, 1, java.util.List.of());
        bridge = new AdminQrexecBridge(admin.dispatcher, new EventStreamer(events, admin.dispatcher),
                new VolumeImportStream(admin.dispatcher, admin.domains, dataDir));
        admin.call("admin.vm.Create.TemplateVM", "", "dom0", "name=debian label=black");
        admin.call("admin.vm.Create.AppVM", "debian", "dom0", "name=mgmt label=red");
    }

    private String call(String source, String service, String argument, String target, String targetType, String payload)
            throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = bridge.handle(new Dom0RpcCall(source, service, argument, target, targetType,
                new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), stdout, new ByteArrayOutputStream()));
        assertEquals(0, status);
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theRequestedTargetIsTheDestinationAndTheAnswerIsQubesdRaw() throws Exception {
        assertEquals("0\0default=False type=label red", call("mgmt", "admin.vm.property.Get", "label", "mgmt", "name", ""));
    }

    @Test
    void theCallingQubeIsTheSource() throws Exception {
        assertEquals("0\0", call("mgmt", "admin.vm.Create.AppVM", "debian", "adminvm", "keyword", "name=child label=green"));
        assertEquals("1", admin.call("admin.vm.tag.Get", "created-by-mgmt", "child", ""));
    }

    @Test
    void errorsUseTheQubesdErrorFrame() throws Exception {
        String answer = call("mgmt", "admin.vm.property.Get", "label", "ghost", "name", "");
        assertTrue(answer.startsWith("2\0QubesVMNotFoundError\0\0"), answer);
        assertTrue(call("mgmt", "admin.vm.volume.Import", "private", "ghost", "name", "").startsWith("2\0QubesVMNotFoundError\0"));
    }

    @Test
    void eventsStreamThroughQrexecUntilTheCallerGoesAway() throws Exception {
        java.util.concurrent.BlockingQueue<String> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicBoolean callerGone = new java.util.concurrent.atomic.AtomicBoolean();
        java.io.OutputStream callerStdout = new java.io.OutputStream() {
            private final ByteArrayOutputStream frame = new ByteArrayOutputStream();

            @Override
            public void write(int b) throws java.io.IOException {
                if (callerGone.get()) {
                    throw new java.io.IOException("caller went away"); // how the stream ends
                }
                frame.write(b);
            }

            @Override
            public void flush() {
                if (frame.size() > 0) {
                    frames.add(frame.toString(StandardCharsets.UTF_8));
                    frame.reset();
                }
            }
        };
        Thread streaming = new Thread(() -> {
            try {
                bridge.handle(new Dom0RpcCall("mgmt", "admin.Events", "", "mgmt", "name", new ByteArrayInputStream(new byte[0]),
                        callerStdout, new ByteArrayOutputStream()));
            } catch (Exception e) {
                frames.add("failed: " + e);
            }
        });
        streaming.start();
        assertEquals("1\0\0connection-established\0\0", frames.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        admin.call("admin.vm.feature.Set", "color", "debian", "blue"); // another qube: filtered out
        admin.call("admin.vm.feature.Set", "color", "mgmt", "blue");
        assertEquals("1\0mgmt\0domain-feature-pre-set:color\0feature\0color\0value\0blue\0\0",
                frames.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        String set = frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(set != null && set.startsWith("1\0mgmt\0domain-feature-set:color\0"), String.valueOf(set));
        callerGone.set(true);
        admin.call("admin.vm.feature.Set", "color", "mgmt", "red");
        streaming.join(10_000);
        assertTrue(!streaming.isAlive(), "the stream ended when writing to the caller failed");
    }

    @Test
    void volumeImportTakesExactlyTheVolumeSizeFromStdin() throws Exception {
        long size = admin.domains.volumeInfo("mgmt", "private").config().size();
        String shortData = callBytes("mgmt", "admin.vm.volume.Import", "private", "mgmt", new byte[10]);
        assertTrue(shortData.startsWith("2\0QubesException\0\0volume data ended after 10 of " + size + " bytes"), shortData);
        assertTrue(callBytes("mgmt", "admin.vm.volume.Import", "nonexistent", "mgmt", new byte[0]).startsWith("2\0PermissionDenied\0"));

        byte[] withSize = ("4096\n" + "x".repeat(4096)).getBytes(StandardCharsets.US_ASCII);
        assertEquals("0\0", callBytes("mgmt", "admin.vm.volume.ImportWithSize", "private", "mgmt", withSize));
        byte[] tooLong = ("4096\n" + "x".repeat(4097)).getBytes(StandardCharsets.US_ASCII);
        assertTrue(callBytes("mgmt", "admin.vm.volume.ImportWithSize", "private", "mgmt", tooLong).contains("more volume data than"));
        assertTrue(callBytes("mgmt", "admin.vm.volume.ImportWithSize", "private", "mgmt", "-1\n".getBytes(StandardCharsets.US_ASCII))
                .startsWith("2\0ProtocolError\0"));
        // over the socket the data cannot come along
        org.junit.jupiter.api.Assertions.assertThrows(io.bulkhead.core.admin.ProtocolError.class,
                () -> admin.call("admin.vm.volume.Import", "private", "mgmt", ""));
    }

    private String callBytes(String source, String service, String argument, String target, byte[] stdin) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        assertEquals(0, bridge.handle(new Dom0RpcCall(source, service, argument, target, "name", new ByteArrayInputStream(stdin),
                stdout, new ByteArrayOutputStream())));
        return stdout.toString(StandardCharsets.UTF_8);
    }
}
