package io.bulkhead.hal.hyperv.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few Winsock 2 functions hvsocket needs, bound with JNA. SOCKET is a UINT_PTR: Hyper-V hosts
 * are 64-bit, so it maps to {@code long}; INVALID_SOCKET is {@code ~0}. Loaded only on Windows.
 */
interface Winsock extends Library {

    long INVALID_SOCKET = -1L;
    int SOCKET_ERROR = -1;
    /** shutdown(): both directions. */
    int SD_BOTH = 2;

    static Winsock load() {
        return Native.load("Ws2_32", Winsock.class);
    }

    /** @param data a WSADATA buffer (408 bytes on x64) */
    int WSAStartup(short version, byte[] data);

    int WSAGetLastError();

    long socket(int af, int type, int protocol);

    int setsockopt(long socket, int level, int option, byte[] value, int length);

    int connect(long socket, byte[] address, int length);

    int recv(long socket, byte[] buffer, int length, int flags);

    int send(long socket, byte[] buffer, int length, int flags);

    int shutdown(long socket, int how);

    int closesocket(long socket);
}
