package io.bulkhead.core.qrexec.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceChannelTest {

    @TempDir
    Path dir;

    @Test
    void neverAsksTheDeviceHowMuchIsBuffered() throws Exception {
        // a regular file would answer; a virtio port throws "Illegal seek", so the channel must not ask
        Path port = dir.resolve("port");
        Files.write(port, new byte[100]);
        try (DeviceChannel channel = DeviceChannel.open(port)) {
            assertEquals(0, channel.input().available());
        }
    }

    @Test
    void aBurstLargerThanOneReadArrivesWholeThroughABufferedReader() throws Exception {
        byte[] burst = new byte[64 * 1024];
        new Random(4).nextBytes(burst);
        Path port = dir.resolve("port");
        Files.write(port, burst);
        try (DeviceChannel channel = DeviceChannel.open(port)) {
            channel.awaitHost(1);
            BufferedInputStream in = new BufferedInputStream(channel.input(), 4096);
            assertArrayEquals(burst, in.readNBytes(burst.length));
        }
    }
}
