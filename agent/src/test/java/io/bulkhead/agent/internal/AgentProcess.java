package io.bulkhead.agent.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A guest agent run as a local process from the shaded jar ({@code -Dagent.jar}). */
final class AgentProcess implements AutoCloseable {
    final Process process;
    final Path clientSocket;

    private AgentProcess(Process process, Path clientSocket) {
        this.process = process;
        this.clientSocket = clientSocket;
    }

    static Path jar() {
        String jar = System.getProperty("agent.jar");
        // set by the e2e surefire execution (after packaging); with -Dtest the earlier run skips
        org.junit.jupiter.api.Assumptions.assumeTrue(jar != null && new File(jar).isFile(),
                "agent.jar must name the shaded agent jar (the e2e execution of mvn verify sets it)");
        return Path.of(jar);
    }

    static List<String> java() {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xshare:auto"));
    }

    /** Starts an agent connecting to {@code dom0Socket}, serving services from {@code rpcDir}. */
    static AgentProcess start(Path dom0Socket, Path rpcDir, Path clientSocket, Path log, String... extra) throws IOException {
        List<String> cmd = java();
        cmd.addAll(List.of("-jar", jar().toString(), "--connect", dom0Socket.toString(), "--rpc-dir", rpcDir.toString(),
                "--client-socket", clientSocket.toString(), "--log-level", "info"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AgentProcess(p, clientSocket);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
