package io.bulkhead.agent.internal;

import io.bulkhead.core.qrexec.internal.DaemonHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dom0 daemon plus agents run as local processes from the shaded jar, each with its own
 * service directory and qrexec-client-vm socket, all in a temporary directory.
 */
final class World implements AutoCloseable {
    final Path dir;
    final DaemonHarness dom0;
    private final Map<String, AgentProcess> agents = new LinkedHashMap<>();
    private final Map<String, Path> dom0Sockets = new LinkedHashMap<>();
    private final List<AutoCloseable> extras = new ArrayList<>();
    private int nextId = 1;

    World(String policy) throws IOException {
        this(new DaemonHarness(policy));
    }

    World(DaemonHarness dom0) throws IOException {
        AgentProcess.jar();
        // readable by all: services may run as another user (nobody)
        this.dir = Files.createTempDirectory("qrexec-world", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        this.dom0 = dom0;
    }

    /** Creates the service directory of {@code qube} with the standard test services. */
    Path rpcDir(String qube) throws IOException {
        Path rpc = dir.resolve(qube).resolve("qubes-rpc");
        if (Files.isDirectory(rpc)) {
            return rpc;
        }
        Files.createDirectories(rpc);
        script(rpc, "test.Echo", "exec cat");
        script(rpc, "test.Env", "echo \"argc=$# arg=$1 full=$QREXEC_SERVICE_FULL_NAME remote=$QREXEC_REMOTE_DOMAIN"
                + " sarg=$QREXEC_SERVICE_ARGUMENT type=$QREXEC_REQUESTED_TARGET_TYPE\"");
        script(rpc, "test.Exit", "cat >/dev/null; exit \"$1\"");
        script(rpc, "test.Specific", "echo generic");
        script(rpc, "test.Specific+only", "echo specific");
        script(rpc, "test.Whoami", "id -un");
        script(rpc, "test.Hostname", "echo " + qube);
        script(rpc, "test.Mark", "touch \"" + dir.resolve(qube).resolve("marker-$1") + "\"");
        Files.writeString(rpc.resolve("test.NotExecutable"), "echo no\n");
        return rpc;
    }

    static void script(Path dir, String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The agent process of {@code qube} (started before). */
    synchronized AgentProcess agent(String qube) {
        return agents.get(qube);
    }

    /** Starts the agent of {@code qube} and waits for its hello. */
    synchronized AgentProcess start(String qube, String... extra) throws Exception {
        Path rpc = rpcDir(qube);
        Path sock = dom0Sockets.get(qube);
        if (sock == null) {
            sock = dom0.listen(qube, nextId++, dir.resolve(qube + ".dom0.sock"));
            dom0Sockets.put(qube, sock);
        }
        AgentProcess a = AgentProcess.start(sock, rpc, dir.resolve(qube).resolve("client.sock"),
                dir.resolve(qube).resolve("agent.log"), extra);
        agents.put(qube, a);
        if (!dom0.service().awaitAgent(qube, Duration.ofSeconds(30))) {
            throw new IllegalStateException("agent of " + qube + " did not connect; log:\n" + log(qube));
        }
        // the agent listens for its clients after the hello; it logs this line once it accepts
        waitForLogLine(qube, "qrexec-client-vm socket at " + a.clientSocket);
        return a;
    }

    /** Stops the agent process of {@code qube} (the qube "halts"). */
    synchronized void stop(String qube) {
        AgentProcess a = agents.remove(qube);
        if (a != null) {
            a.close();
        }
    }

    String log(String qube) throws IOException {
        Path log = dir.resolve(qube).resolve("agent.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    Path clientSocket(String qube) {
        return dir.resolve(qube).resolve("client.sock");
    }

    /** A VM to VM call made in {@code caller} with the in-process qrexec-client-vm code. */
    Result call(String caller, String target, String service, byte[] stdin) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ClientVm.call(clientSocket(caller), "", target, service, new java.io.ByteArrayInputStream(stdin), out, err);
        return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    Result call(String caller, String target, String service) throws IOException {
        return call(caller, target, service, new byte[0]);
    }

    void onClose(AutoCloseable c) {
        extras.add(c);
    }

    private void waitForLogLine(String qube, String text) throws InterruptedException, IOException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!log(qube).contains(text)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the agent of " + qube + " did not log '" + text + "'; log:\n" + log(qube));
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() throws Exception {
        for (AgentProcess a : agents.values()) {
            a.close();
        }
        for (AutoCloseable c : extras) {
            c.close();
        }
        dom0.close();
    }

    /** Outcome of a call. */
    record Result(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }
}
