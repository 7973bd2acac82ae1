package io.bulkhead.hal.hyperv.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Winsock as the hvsocket code sees it, scripted: refuses the first connects, then serves bytes. */
final class FakeWinsock implements Winsock {

    static final int WSAECONNREFUSED = 10061;

    final List<byte[]> connectAddresses = new ArrayList<>();
    final List<String> socketOptions = new ArrayList<>();
    final List<Long> closed = new ArrayList<>();
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    final Deque<byte[]> toReceive = new ArrayDeque<>();
    int refusals;
    int lastError;
    int createdSockets;
    int[] socketArguments;

    FakeWinsock(int refusals) {
        this.refusals = refusals;
    }

    @Override
    public synchronized int WSAStartup(short version, byte[] data) {
        return version == 0x0202 && data.length >= 400 ? 0 : 10092;
    }

    @Override
    public synchronized int WSAGetLastError() {
        return lastError;
    }

    @Override
    public synchronized long socket(int af, int type, int protocol) {
        socketArguments = new int[] {af, type, protocol};
        return 100 + createdSockets++;
    }

    @Override
    public synchronized int setsockopt(long socket, int level, int option, byte[] value, int length) {
        long ms = (value[0] & 0xff) | (value[1] & 0xff) << 8 | (value[2] & 0xff) << 16 | (long) (value[3] & 0xff) << 24;
        socketOptions.add(level + "/" + option + "=" + ms);
        return 0;
    }

    @Override
    public synchronized int connect(long socket, byte[] address, int length) {
        connectAddresses.add(java.util.Arrays.copyOf(address, length));
        if (refusals > 0) {
            refusals--;
            lastError = WSAECONNREFUSED;
            return SOCKET_ERROR;
        }
        return 0;
    }

    @Override
    public synchronized int recv(long socket, byte[] buffer, int length, int flags) {
        byte[] next = toReceive.pollFirst();
        if (next == null) {
            return 0;
        }
        System.arraycopy(next, 0, buffer, 0, next.length);
        return next.length;
    }

    @Override
    public synchronized int send(long socket, byte[] buffer, int length, int flags) {
        int n = Math.min(length, 3); // partial sends: the channel must loop
        sent.write(buffer, 0, n);
        return n;
    }

    @Override
    public synchronized int shutdown(long socket, int how) {
        return 0;
    }

    @Override
    public synchronized int closesocket(long socket) {
        closed.add(socket);
        return 0;
    }
}
