package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.DomainChannel;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The qrexec channel over hvsocket: Windows only, to the VM's id and the configured service GUID. */
class ChannelTest {

    @TempDir
    Path pool;

    private HypervHypervisor running(FakeHyperV fake, Map<String, ?> config, Platform platform) {
        HypervHypervisor hyperv = Backends.backend(fake, config, platform);
        hyperv.define(Backends.appVm(pool, "work").build());
        hyperv.start("work");
        return hyperv;
    }

    private static Platform windows(FakeWinsock winsock) {
        return new Platform("Windows Server 2022", true, "", ";", Optional.of("C:\\Windows"), () -> winsock);
    }

    @Test
    void onLinuxTheChannelSaysHvsocketNeedsWindows() {
        FakeHyperV fake = new FakeHyperV();
        HypervHypervisor hyperv = running(fake, Map.of(), Backends.LINUX);
        try {
            HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.openQrexecChannel("work"));
            assertEquals("cannot open channel qrexec of domain work: hvsocket needs Windows (AF_HYPERV sockets exist"
                    + " only on the Hyper-V host itself); this dom0 runs on Linux", e.getMessage());
            assertEquals("work", e.domain());
        } finally {
            hyperv.close();
        }
    }

    @Test
    void onWindowsItConnectsAnAfHypervSocketToTheVmAndTheQrexecService() throws IOException {
        FakeHyperV fake = new FakeHyperV();
        FakeWinsock winsock = new FakeWinsock(2);
        HypervHypervisor hyperv = running(fake, Map.of(), windows(winsock));
        try (DomainChannel channel = hyperv.openQrexecChannel("work")) {
            assertArrayEquals(new int[] {34, 1, 1}, winsock.socketArguments, "AF_HYPERV, SOCK_STREAM, HV_PROTOCOL_RAW");
            assertEquals(3, winsock.connectAddresses.size(), "retried while the guest did not listen");
            assertEquals(List.of(100L, 101L), winsock.closed, "refused sockets are closed");
            assertTrue(winsock.socketOptions.stream().allMatch(o -> o.equals("1/1=1000")), winsock.socketOptions.toString());
            byte[] expected = HvSocketAddress.encode(fake.vm("work").id,
                    UUID.fromString("00000200-facb-11e6-bd58-64006a7986d3"));
            assertArrayEquals(expected, winsock.connectAddresses.get(2));

            assertEquals("work", channel.domain());
            assertEquals("qrexec", channel.channelName());
            channel.output().write("hello guest".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello guest", winsock.sent.toString(StandardCharsets.UTF_8));
            winsock.toReceive.add("hi".getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[16];
            int n = channel.input().read(buffer, 4, 10);
            assertEquals("hi", new String(buffer, 4, n, StandardCharsets.UTF_8));
            assertEquals(-1, channel.input().read(), "recv of 0 bytes is the end of the stream");
        }
        assertEquals(102L, winsock.closed.get(2));
        hyperv.close();
    }

    @Test
    void theQubesdbChannelUsesItsOwnServiceAndUnknownChannelsAreRefused() throws IOException {
        FakeHyperV fake = new FakeHyperV();
        FakeWinsock winsock = new FakeWinsock(0);
        HypervHypervisor hyperv = running(fake, Map.of("qubesdbServiceGuid", "0000006F-FACB-11E6-BD58-64006A7986D3"),
                windows(winsock));
        try {
            hyperv.openChannel("work", "qubesdb").close();
            byte[] address = winsock.connectAddresses.get(0);
            assertArrayEquals(new byte[] {0x6f, 0, 0, 0, (byte) 0xcb, (byte) 0xfa, (byte) 0xe6, 0x11},
                    Arrays.copyOfRange(address, 20, 28));
            HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.openChannel("work", "gui"));
            assertTrue(e.getMessage().contains("has no channel 'gui' (it has: qrexec, qubesdb)"), e.getMessage());
        } finally {
            hyperv.close();
        }
    }

    @Test
    void aGuestThatNeverListensGivesTheRegistrationCommand() {
        FakeHyperV fake = new FakeHyperV();
        FakeWinsock winsock = new FakeWinsock(Integer.MAX_VALUE);
        HypervHypervisor hyperv = running(fake, Map.of("channelConnectTimeoutSeconds", "1"), windows(winsock));
        try {
            IOException e = assertThrows(IOException.class, () -> hyperv.openQrexecChannel("work"));
            assertTrue(e.getMessage().contains("WSA error 10061"), e.getMessage());
            assertTrue(e.getMessage().contains("GuestCommunicationServices") && e.getMessage().contains(
                    "'00000200-facb-11e6-bd58-64006a7986d3'"), e.getMessage());
        } finally {
            hyperv.close();
        }
    }

    @Test
    void remoteHostsAndStoppedDomainsHaveNoChannel() {
        FakeHyperV fake = new FakeHyperV();
        HypervHypervisor remote = Backends.backend(fake, Map.of("remoteComputer", "hv01"), windows(new FakeWinsock(0)));
        HypervisorException e = assertThrows(HypervisorException.class, () -> remote.openQrexecChannel("work"));
        assertTrue(e.getMessage().contains("Hyper-V runs on hv01"), e.getMessage());
        remote.close();

        HypervHypervisor local = running(fake, Map.of(), windows(new FakeWinsock(0)));
        try {
            local.kill("work");
            HypervisorException stopped = assertThrows(HypervisorException.class, () -> local.openQrexecChannel("work"));
            assertTrue(stopped.getMessage().contains("is not running"), stopped.getMessage());
        } finally {
            local.close();
        }
    }

    @Test
    void theRegistrationCommandIsValidPowerShellForTheConfiguredGuid() {
        HypervHypervisor hyperv = Backends.backend(new FakeHyperV(), Map.of());
        try {
            String command = hyperv.qrexecServiceRegistration();
            List<PsCommands.Invocation> commands = PsCommands.of(command);
            assertEquals("HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Virtualization\\GuestCommunicationServices",
                    commands.get(0).get("-Path"));
            assertEquals("00000200-facb-11e6-bd58-64006a7986d3", commands.get(0).get("-Name"));
            assertEquals("ElementName", commands.get(1).get("-Name"));
            assertEquals("Bulkhead qrexec", commands.get(1).get("-Value"));
            assertEquals("String", commands.get(1).get("-PropertyType"));
        } finally {
            hyperv.close();
        }
    }
}
