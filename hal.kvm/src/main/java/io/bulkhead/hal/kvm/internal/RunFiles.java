package io.bulkhead.hal.kvm.internal;

import java.nio.file.Path;

/**
 * Names of the files QEMU and the backend keep in a domain's run directory. Socket names are short
 * because a unix socket path must fit in 107 bytes.
 *
 * @param directory the domain's run directory (0700)
 */
record RunFiles(Path directory) {

    Path qmpSocket() {
        return directory.resolve("qmp.sock");
    }

    /** Serial console output of the current boot (the previous boot's is {@link #previousConsoleLog()}). */
    Path consoleLog() {
        return directory.resolve("console.log");
    }

    Path previousConsoleLog() {
        return directory.resolve("console.log.old");
    }

    /** QEMU's own stdout/stderr. */
    Path qemuLog() {
        return directory.resolve("qemu.log");
    }

    /** Host side of the virtio-serial port called {@code channel}. */
    Path channelSocket(String channel) {
        return directory.resolve("ch-" + channel + ".sock");
    }

    /** Where the backend listens while QEMU streams a snapshot out. */
    Path snapshotOutSocket() {
        return directory.resolve("snap-out.sock");
    }

    /** Where QEMU listens while the backend streams a snapshot in. */
    Path snapshotInSocket() {
        return directory.resolve("snap-in.sock");
    }

    /** Listening end (in a netvm's run directory) of the link to client domain {@code client}. */
    Path netLinkSocket(String client) {
        return directory.resolve("net-" + client + ".sock");
    }
}
