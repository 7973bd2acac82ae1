package io.bulkhead.agent.internal;

import java.nio.file.Path;
import java.util.List;

/**
 * How the agent runs.
 *
 * @param device       guest end of the virtio-serial port, or {@code null} with {@code connect}
 * @param connect      unix socket of dom0 (agent as a local process), or {@code null}
 * @param rpcDirs      service directories, searched in order
 * @param clientSocket socket for {@code qrexec-client-vm}, or {@code null} for none
 * @param userSwitch   how commands run as another user
 * @param once         exit when dom0 disconnects instead of waiting for it again
 * @param prewarm      spawn ahead at startup (warm shells, else a trivial process) so the first call does not pay for it
 * @param warmUsers    users whose shell commands run in a shell spawned ahead of demand ({@link WarmShells})
 * @param logLevel     log threshold
 */
record AgentConfig(Path device, Path connect, List<Path> rpcDirs, Path clientSocket, UserSwitch userSwitch,
        boolean once, boolean prewarm, List<String> warmUsers, Log.Level logLevel) {

    /** Qubes' default user and root: who dom0 runs commands as. */
    static final List<String> DEFAULT_WARM_USERS = List.of("user", "root");

    /** Qubes' service search path. */
    static final List<Path> DEFAULT_RPC_DIRS = List.of(Path.of("/run/qubes-rpc"), Path.of("/usr/local/etc/qubes-rpc"),
            Path.of("/etc/qubes-rpc"));
    /** Qubes' agent trigger socket ({@code QREXEC_AGENT_TRIGGER_PATH}). */
    static final Path DEFAULT_CLIENT_SOCKET = Path.of("/var/run/qubes/qrexec-agent");
    /** hal.kvm's qrexec port name, the Qubes-style name, then the raw first port. */
    static final List<Path> DEFAULT_DEVICES = List.of(Path.of("/dev/virtio-ports/qrexec"),
            Path.of("/dev/virtio-ports/org.qubes-os.qrexec"), Path.of("/dev/vport0p1"));

    /** How to run a command as a user other than the agent's. */
    enum UserSwitch {
        /** {@code su} when the agent is root and the user is not; otherwise run as the agent's user. */
        AUTO,
        /** Always through {@code su -s SHELL USER -c ...} (busybox or util-linux su). */
        SU,
        /** Never switch: everything runs as the agent's user. */
        NONE
    }
}
