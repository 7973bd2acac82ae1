package io.bulkhead.core.qrexec.internal.vchan;

import java.util.Arrays;

/**
 * The data ports of one agent's vchans, allocated as Qubes' qrexec-daemon does
 * ({@code allocate_vchan_port}/{@code release_vchan_port} in {@code daemon/qrexec-daemon.c}):
 * port {@code 513 + i} for the lowest free index {@code i < 256}; each entry remembers the
 * {@code connect_domain} it was allocated for, and a release only frees a port held for the
 * domain the agent names. For a peer other than dom0 only one parity is used (odd indices when
 * the peer's id is higher than ours), so two daemons never hand out the same port for one pair.
 */
final class VchanPortTable {
    /** {@code VCHAN_BASE_PORT + 1}. */
    static final int FIRST_DATA_PORT = 513;
    /** {@code MAX_CLIENTS} (= {@code MAX_FDS}). */
    static final int SIZE = 256;
    private static final int UNUSED = -1;

    private final int ownDomain;
    private final int[] used = new int[SIZE];

    /** @param ownDomain the domain id of the qube whose agent the ports belong to */
    VchanPortTable(int ownDomain) {
        this.ownDomain = ownDomain;
        Arrays.fill(used, UNUSED);
    }

    /** @return whether {@code port} is one of the 256 data ports */
    static boolean isDataPort(int port) {
        return port >= FIRST_DATA_PORT && port < FIRST_DATA_PORT + SIZE;
    }

    /**
     * @param connectDomain the domain at the other end of the data vchan (0 for dom0)
     * @return the allocated port, or 0 if every port of the allowed parity is in use
     */
    synchronized int allocate(int connectDomain) {
        int i = 0;
        int step = 1;
        if (connectDomain != 0) {
            i = connectDomain > ownDomain ? 1 : 0;
            step = 2;
        }
        for (; i < SIZE; i += step) {
            if (used[i] == UNUSED) {
                used[i] = connectDomain;
                return FIRST_DATA_PORT + i;
            }
        }
        return 0;
    }

    /**
     * Frees {@code port} if it was allocated for {@code expectedDomain}; otherwise nothing
     * happens (as Qubes: a wrong domain in the agent's message cannot free someone else's port).
     *
     * @return whether the port was freed
     * @throws IllegalArgumentException if {@code port} is not a data port
     */
    synchronized boolean release(int port, int expectedDomain) {
        if (!isDataPort(port)) {
            throw new IllegalArgumentException("not a vchan data port: " + Integer.toUnsignedString(port));
        }
        int i = port - FIRST_DATA_PORT;
        if (used[i] == UNUSED || used[i] != expectedDomain) {
            return false;
        }
        used[i] = UNUSED;
        return true;
    }

    /** @return how many ports are allocated */
    synchronized int inUse() {
        int n = 0;
        for (int d : used) {
            if (d != UNUSED) {
                n++;
            }
        }
        return n;
    }
}
