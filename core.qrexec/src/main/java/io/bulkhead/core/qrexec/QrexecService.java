package io.bulkhead.core.qrexec;

import io.bulkhead.core.qrexec.transport.QrexecChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * dom0's qrexec daemon: one link per running qube's agent, commands and service calls into
 * qubes, and routing of the qubes' own calls (policy, ask, dom0 services, disposables).
 * Registered as a DS service by core.qrexec.
 *
 * <p>User names: {@code DEFAULT} (or {@code null}) means the configured default user (Qubes:
 * {@code user}); {@code root} runs as root.
 */
public interface QrexecService {

    /**
     * Runs a shell command in a qube as {@code user} (Qubes {@code qrexec-client -d QUBE user:cmd},
     * what {@code qvm-run} does), with streaming stdio.
     *
     * @throws AgentNotConnectedException if the qube's agent is not connected
     */
    RemoteProcess exec(String qube, String user, String command) throws QrexecException;

    /**
     * Calls {@code service[+argument]} in a qube with dom0 as the source
     * ({@code user:QUBESRPC svc+arg dom0}).
     *
     * @throws QrexecException if the name is invalid or the agent not connected
     */
    RemoteProcess callService(String qube, String user, String serviceAndArgument) throws QrexecException;

    /**
     * Starts a command with stdio on /dev/null ({@code MSG_JUST_EXEC}) and returns the agent's
     * spawn status (0 when started) without waiting for the command.
     */
    int justExec(String qube, String user, String command) throws QrexecException;

    /** @return whether the qube's agent is connected and said hello */
    boolean isConnected(String qube);

    /** @return names of qubes whose agents are connected */
    Set<String> connectedQubes();

    /**
     * Blocks until the agent of {@code qube} is connected, opening its channel through the
     * registered providers or the hypervisor backend if needed.
     *
     * @return whether it is connected
     */
    boolean awaitAgent(String qube, Duration timeout) throws InterruptedException;

    /**
     * Connects the agent of {@code qube} over an open channel (a local agent process, a
     * transport the daemon does not open itself): exchanges the mux preamble and the hello, then
     * serves it. Replaces (closes) a previous link of that qube.
     *
     * @param domainId the qube's numeric id, reported to agents as {@code connect_domain}
     * @throws IOException if the handshake fails; the channel is closed then
     */
    void attach(String qube, int domainId, QrexecChannel channel) throws IOException;

    /** Closes the link of {@code qube}, if any; its calls fail. */
    void detach(String qube);
}
