package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.mux.MuxConfig;

/**
 * Effective daemon settings (from {@link QrexecConfig}).
 *
 * @param defaultUser        replaces {@code DEFAULT} as the user of commands and services
 * @param helloTimeoutMillis how long a new link may take to say hello
 * @param maxPendingCalls    calls from one qube being routed or connected at once
 * @param callsPerSecond     sustained call rate per qube
 * @param callBurst          calls per qube accepted at once before the rate applies
 * @param writeStallMillis   a link whose writes block longer is closed (the qube stopped reading)
 * @param outputBuffer       bytes buffered per stdout/stderr of a {@code RemoteProcess}
 * @param mux                multiplexing parameters of every link
 */
record DaemonSettings(String defaultUser, long helloTimeoutMillis, int maxPendingCalls, double callsPerSecond,
        int callBurst, long writeStallMillis, int outputBuffer, MuxConfig mux) {

    static DaemonSettings from(QrexecConfig c) {
        return new DaemonSettings(c.defaultUser(), c.helloTimeoutMillis(), c.maxPendingCalls(), c.callsPerSecond(),
                c.callBurst(), c.writeStallMillis(), c.outputBufferBytes(),
                new MuxConfig(c.receiveWindowBytes(), c.maxStreamsPerQube(), MuxConfig.DEFAULT.preambleScanLimit()));
    }

    /** @return {@code user}, or the default user for {@code null}/{@code DEFAULT} */
    String user(String user) {
        return user == null || user.isEmpty() || user.equals("DEFAULT") ? defaultUser : user;
    }
}
