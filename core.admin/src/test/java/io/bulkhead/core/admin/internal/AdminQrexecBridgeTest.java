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

    @BeforeEach
    void setUp() {
        admin = new AdminFixture(dataDir);
        bridge = new AdminQrexecBridge(admin.dispatcher);
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
        assertTrue(call("mgmt", "admin.Events", "", "dom0", "name", "").startsWith("2\0ProtocolError\0"));
    }
}
