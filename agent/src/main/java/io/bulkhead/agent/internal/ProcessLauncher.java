package io.bulkhead.agent.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Spawns commands and services as a given user.
 *
 * <p>User switching without PAM: when the agent runs as root and the user is someone else, the
 * command goes through {@code su -s SHELL USER -c ...} (busybox {@code su} needs no PAM and no
 * setuid bit when called by root; util-linux {@code su} takes the same arguments). Executables
 * are started as {@code su -s /bin/sh USER -c 'exec "$0" "$@"' PATH [ARG]}, so no quoting of
 * arguments is ever needed. Without root the agent runs everything as itself.
 *
 * <p>Spawning cost: {@link AgentMain} selects {@code jdk.lang.Process.launchMechanism=FORK}
 * (no {@code jspawnhelper} exec, which is slow under TCG) and {@link #prewarm()} pays the first
 * {@code ProcessBuilder} initialisation at startup, before a snapshot is taken.
 */
final class ProcessLauncher {
    private static final File DEV_NULL = new File("/dev/null");

    private final AgentConfig.UserSwitch mode;
    private final Passwd passwd;
    private final Log log;
    private final String agentUser = System.getProperty("user.name", "");

    ProcessLauncher(AgentConfig.UserSwitch mode, Passwd passwd, Log log) {
        this.mode = mode;
        this.passwd = passwd;
        this.log = log;
    }

    /** Runs {@code command} with the user's shell ({@code SHELL -c command}). */
    Process shell(String user, String command, Map<String, String> env, boolean discardIo) throws IOException {
        Optional<Passwd.Entry> account = passwd.lookup(user);
        String shell = account.map(Passwd.Entry::shell).filter(ProcessLauncher::usableShell).orElse("/bin/sh");
        List<String> argv = new ArrayList<>();
        if (switchTo(user, account)) {
            argv.addAll(List.of(suPath(), "-s", shell, user, "-c", command));
        } else {
            argv.addAll(List.of(shell, "-c", command));
        }
        return start(argv, user, account, env, discardIo);
    }

    /** Runs a service executable with the argument as {@code argv[1]} when it is not empty. */
    Process executable(String user, Path program, String argument, Map<String, String> env, boolean discardIo)
            throws IOException {
        Optional<Passwd.Entry> account = passwd.lookup(user);
        List<String> argv = new ArrayList<>();
        if (switchTo(user, account)) {
            argv.addAll(List.of(suPath(), "-s", "/bin/sh", user, "-c", "exec \"$0\" \"$@\""));
        }
        argv.add(program.toString());
        if (!argument.isEmpty()) {
            argv.add(argument);
        }
        return start(argv, user, account, env, discardIo);
    }

    private boolean switchTo(String user, Optional<Passwd.Entry> account) throws IOException {
        boolean other = !user.equals(agentUser);
        boolean sw = mode == AgentConfig.UserSwitch.SU
                || mode == AgentConfig.UserSwitch.AUTO && other && agentUser.equals("root");
        if (sw && account.isEmpty()) {
            throw new IOException("unknown user '" + user + "'");
        }
        if (!sw && other && mode == AgentConfig.UserSwitch.AUTO) {
            log.debug("agent is not root: running as " + agentUser + " instead of " + user);
        }
        return sw;
    }

    private Process start(List<String> argv, String user, Optional<Passwd.Entry> account, Map<String, String> env,
            boolean discardIo) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> e = pb.environment();
        account.ifPresent(a -> {
            e.put("HOME", a.home());
            e.put("USER", a.name());
            e.put("LOGNAME", a.name());
        });
        e.putAll(env);
        if (account.isPresent() && Files.isDirectory(Path.of(account.get().home()))) {
            pb.directory(new File(account.get().home()));
        }
        if (discardIo) {
            pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        return pb.start();
    }

    /** Spawns a trivial process once, so the JDK's process machinery is initialised before the first call. */
    void prewarm() {
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder(Files.isExecutable(Path.of("/bin/true")) ? "/bin/true" : "/bin/sh", "-c", ":")
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
            log.debug("process spawning pre-warmed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (IOException e) {
            log.warn("pre-warming process spawning failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean usableShell(String shell) {
        return !shell.isEmpty() && !shell.endsWith("/nologin") && !shell.endsWith("/false")
                && Files.isExecutable(Path.of(shell));
    }

    private static String suPath() {
        for (String p : new String[] {"/bin/su", "/usr/bin/su", "/sbin/su"}) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "su";
    }
}
