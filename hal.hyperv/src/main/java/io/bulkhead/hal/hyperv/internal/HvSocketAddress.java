package io.bulkhead.hal.hyperv.internal;

import java.util.UUID;

/**
 * The Winsock {@code SOCKADDR_HV} structure: {@code USHORT Family; USHORT Reserved; GUID VmId;
 * GUID ServiceId} (36 bytes, little-endian x64). A Windows GUID stores its first three fields
 * little-endian ({@code Data1} 32 bit, {@code Data2}, {@code Data3} 16 bit) and the last eight
 * bytes as written.
 */
final class HvSocketAddress {

    /** AF_HYPERV in ws2def.h. */
    static final int AF_HYPERV = 34;
    /** SOCK_STREAM. */
    static final int SOCK_STREAM = 1;
    /** HV_PROTOCOL_RAW in hvsocket.h; also the socket option level of the options below. */
    static final int HV_PROTOCOL_RAW = 1;
    /** HVSOCKET_CONNECT_TIMEOUT: a connect to a port nobody listens on otherwise waits ~30 s. */
    static final int HVSOCKET_CONNECT_TIMEOUT = 1;
    static final int SIZE = 36;

    private HvSocketAddress() {
    }

    static byte[] encode(UUID vmId, UUID serviceId) {
        byte[] address = new byte[SIZE];
        address[0] = (byte) AF_HYPERV;
        address[1] = (byte) (AF_HYPERV >>> 8);
        // bytes 2..3: Reserved = 0
        putGuid(address, 4, vmId);
        putGuid(address, 20, serviceId);
        return address;
    }

    /** Writes {@code guid} in Windows GUID memory layout at {@code offset}. */
    static void putGuid(byte[] target, int offset, UUID guid) {
        long high = guid.getMostSignificantBits();
        long low = guid.getLeastSignificantBits();
        int data1 = (int) (high >>> 32);
        int data2 = (int) (high >>> 16) & 0xffff;
        int data3 = (int) high & 0xffff;
        for (int i = 0; i < 4; i++) {
            target[offset + i] = (byte) (data1 >>> (8 * i));
        }
        target[offset + 4] = (byte) data2;
        target[offset + 5] = (byte) (data2 >>> 8);
        target[offset + 6] = (byte) data3;
        target[offset + 7] = (byte) (data3 >>> 8);
        for (int i = 0; i < 8; i++) {
            target[offset + 8 + i] = (byte) (low >>> (8 * (7 - i)));
        }
    }

    /**
     * @return the host-side service GUID under which a Linux guest's AF_VSOCK port is reached:
     *         the port in the first field of {@code 00000000-facb-11e6-bd58-64006a7986d3}
     */
    static UUID linuxVsockService(long port) {
        if (port < 0 || port > 0xffffffffL) {
            throw new IllegalArgumentException("vsock port must be 0..4294967295, got " + port);
        }
        return UUID.fromString(String.format("%08x-facb-11e6-bd58-64006a7986d3", port));
    }
}
