package io.bulkhead.hal.local.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Spawns the guest agent of one local qube:
 * {@code java <options> -jar <agentJar> --connect <qrexec.sock> --rpc-dir <dir> --user-switch none
 * --client-socket <client.sock> --log-level <level>}, output appended to {@code console.log}.
 *
 * <p>Commands the agent runs inherit its environment, which gets a {@code qrexec-client-vm}
 * wrapper first on PATH (bound to this qube's client socket) and {@value #QUBE_NAME_VARIABLE} /
 * {@value #CLIENT_SOCKET_VARIABLE}, so services in a local qube make qrexec calls as in Qubes.
 */
final class AgentLauncher {

    /** Name of the qube, in the environment of the agent and everything it runs. */
    static final String QUBE_NAME_VARIABLE = "BULKHEAD_QUBE_NAME";
    /** The agent's {@code qrexec-client-vm} socket, in the same environment. */
    static final String CLIENT_SOCKET_VARIABLE = "BULKHEAD_AGENT_CLIENT_SOCKET";

    private AgentLauncher() {
    }

    /** The agent's command line. */
    static List<String> commandLine(Path java, List<String> jvmOptions, Path agentJar, RunFiles files, Path rpcDir,
            String logLevel) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", agentJar.toString(),
                "--connect", files.qrexecSocket().toString(),
                "--rpc-dir", rpcDir.toString(),
                "--user-switch", "none",
                "--client-socket", files.clientSocket().toString(),
                "--log-level", logLevel));
        return command;
    }

    /** Writes {@code bin/qrexec-client-vm}: runs the agent jar's client against this qube's socket. */
    static void writeClientWrapper(Path java, List<String> jvmOptions, Path agentJar, RunFiles files) throws IOException {
        Files.createDirectories(files.binDirectory());
        StringBuilder script = new StringBuilder("#!/bin/sh\n# written by hal.local: qrexec-client-vm of qube ")
                .append(files.directory().getFileName()).append('\n').append("exec ").append(quote(java.toString()));
        for (String option : jvmOptions) {
            script.append(' ').append(quote(option));
        }
        script.append(" -jar ").append(quote(agentJar.toString())).append(" qrexec-client-vm --agent-socket ")
                .append(quote(files.clientSocket().toString())).append(" \"$@\"\n");
        Path wrapper = files.clientWrapper();
        Files.writeString(wrapper, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
    }

    /** Starts the agent; the console log gets a marker line, then the agent's output. */
    static Process start(String qube, List<String> command, RunFiles files) throws IOException {
        Files.writeString(files.consoleLog(), "---- hal.local " + Instant.now() + ": starting the agent of " + qube
                + ": " + String.join(" ", command) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(files.directory().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.consoleLog().toFile()));
        Map<String, String> environment = builder.environment();
        String path = environment.get("PATH");
        environment.put("PATH", files.binDirectory() + (path == null || path.isEmpty() ? ":/usr/bin:/bin" : ":" + path));
        environment.put(QUBE_NAME_VARIABLE, qube);
        environment.put(CLIENT_SOCKET_VARIABLE, files.clientSocket().toString());
        environment.remove("BULKHEAD_AGENT_PORT");
        return builder.start();
    }

    /** Single-quotes a word for sh. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
