package io.bulkhead.agent.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 * (no {@code jspawnhelper} exec, which is slow under TCG; the template selects VFORK), and
 * {@link #prewarm()} pays the first {@code ProcessBuilder} initialisation at startup, before a
 * snapshot is taken. {@link WarmShells} takes the spawn off the path of shell commands.
 */
final class ProcessLauncher {
    private static final File DEV_NULL = new File("/dev/null");
    /** How old a shell plan may be, by default. */
    static final long PLAN_TTL_NANOS = 1_000_000_000L;

    private final long planTtlNanos;
    private final AgentConfig.UserSwitch mode;
    private final Passwd passwd;
    private final Log log;
    private final String agentUser = System.getProperty("user.name", "");
    private final Map<String, PlanInputs.Cached> plans = new java.util.concurrent.ConcurrentHashMap<>();

    ProcessLauncher(AgentConfig.UserSwitch mode, Passwd passwd, Log log) {
        this(mode, passwd, log, PLAN_TTL_NANOS);
    }

    /** @param planTtlNanos how old a cached shell plan may be (0: derived on every call) */
    ProcessLauncher(AgentConfig.UserSwitch mode, Passwd passwd, Log log, long planTtlNanos) {
        this.planTtlNanos = planTtlNanos;
        this.mode = mode;
        this.passwd = passwd;
        this.log = log;
    }

    /**
     * How a shell command runs for {@code user} now: the user's shell ({@code /bin/sh} when it
     * has none usable), through {@code su} when switching users. A plan is derived again (the
     * passwd entry, the shell and {@code su} being executable, the home directory existing) when
     * it is older than {@link #PLAN_TTL_NANOS} (1 s), as a name-service cache would: under TCG
     * those checks cost almost 1 ms of each command.
     *
     * @throws IOException if the user must be switched to but does not exist
     */
    ShellPlan shellPlan(String user) throws IOException {
        PlanInputs.Cached last = plans.get(user);
        long now = System.nanoTime();
        if (last != null && now - last.checkedNanos() < planTtlNanos) {
            return last.plan();
        }
        Optional<Passwd.Entry> account = passwd.lookup(user);
        String shell = account.map(Passwd.Entry::shell).filter(ProcessLauncher::usableShell).orElse("/bin/sh");
        String su = switchTo(user, account) ? suPath() : null;
        File directory = workingDirectory(account);
        // the same inputs give the same plan object: cheap to compare on every command
        PlanInputs inputs = new PlanInputs(account, shell, su, directory);
        ShellPlan plan = last != null && last.inputs().equals(inputs) ? last.plan()
                : new ShellPlan(user, shell, su != null ? List.of(su, "-s", shell, user, "-c") : List.of(shell, "-c"),
                        accountEnv(account), directory);
        plans.put(user, new PlanInputs.Cached(inputs, plan, now));
        return plan;
    }

    /** What a shell plan is derived from (besides the user). */
    private record PlanInputs(Optional<Passwd.Entry> account, String shell, String su, File directory) {
        /** @param checkedNanos when the plan was derived or last checked ({@link System#nanoTime()}) */
        record Cached(PlanInputs inputs, ShellPlan plan, long checkedNanos) {
        }
    }

    /** Runs {@code command} with the user's shell ({@code SHELL -c command}). */
    Process shell(String user, String command, Map<String, String> env, boolean discardIo) throws IOException {
        return shell(shellPlan(user), command, env, discardIo);
    }

    /** Runs {@code command} as {@code plan} says, with {@code env} on top of the plan's variables. */
    Process shell(ShellPlan plan, String command, Map<String, String> env, boolean discardIo) throws IOException {
        List<String> argv = new ArrayList<>(plan.argv());
        argv.add(command);
        Map<String, String> all = new HashMap<>(plan.env());
        all.putAll(env);
        return start(argv, all, plan.directory(), discardIo);
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
        Map<String, String> all = new HashMap<>(accountEnv(account));
        all.putAll(env);
        return start(argv, all, workingDirectory(account), discardIo);
    }

    private boolean switchTo(String user, Optional<Passwd.Entry> account) throws IOException {
        boolean other = !user.equals(agentUser);
        boolean sw = mode == AgentConfig.UserSwitch.SU
                || mode == AgentConfig.UserSwitch.AUTO && other && agentUser.equals("root");
        if (sw && account.isEmpty()) {
            throw new IOException("unknown user '" + user + "'");
        }
        if (!sw && other && mode == AgentConfig.UserSwitch.AUTO && log.isDebug()) {
            log.debug("agent is not root: running as " + agentUser + " instead of " + user);
        }
        return sw;
    }

    private static Map<String, String> accountEnv(Optional<Passwd.Entry> account) {
        return account.map(a -> Map.of("HOME", a.home(), "USER", a.name(), "LOGNAME", a.name())).orElse(Map.of());
    }

    // java.io.File for the checks on every command: fewer bytecodes than NIO, which counts while interpreted
    private static File workingDirectory(Optional<Passwd.Entry> account) {
        if (account.isEmpty()) {
            return null;
        }
        File home = new File(account.get().home());
        return home.isDirectory() ? home : null;
    }

    private static Process start(List<String> argv, Map<String, String> env, File directory, boolean discardIo) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env);
        if (directory != null) {
            pb.directory(directory);
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
                && new File(shell).canExecute();
    }

    private static String suPath() {
        for (String p : new String[] {"/bin/su", "/usr/bin/su", "/sbin/su"}) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        return "su";
    }
}
