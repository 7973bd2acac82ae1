package io.bulkhead.agent.internal;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one {@link WarmShell} ready per configured user, so a shell command from dom0 runs
 * without a process spawn on its path (Qubes keeps a qrexec-fork-server for the same reason).
 * Under TCG, a spawn from the JVM costs 7-11 ms of the guest's single vCPU (measured), handing
 * a command to a waiting shell about 2-3 ms.
 *
 * <p>A user's shell is spawned after each of their commands has ended: not while it runs (on one
 * vCPU the spawn would slow the command down) and not at the hello (the first command would wait
 * for it: measured 1.3-1.6 s instead of 0.4-0.5 s), so a user's first command spawns on demand. A command that arrives
 * while its shell is being spawned waits for it, which is never slower than spawning anew. The
 * next shell is {@link #reserve reserved} as soon as the command has exited, before dom0 learns
 * its status: otherwise the caller's next command could arrive before the spawn was claimed and
 * spawn a second shell on demand (seen on every other back-to-back call under TCG).
 * Whenever a warm shell cannot stand in exactly for an on-demand spawn, {@link #run} returns
 * {@code null} and the caller spawns as usual: the user is not kept warm, the command starts with
 * an option character, the spawn plan changed since the shell started (passwd entry, shell, home
 * directory), the shell is not a POSIX shell, or the shell died. A user whose shells keep dying is
 * no longer kept warm.
 */
final class WarmShells implements AutoCloseable {
    private static final long SPAWN_WAIT_MILLIS = 10_000;
    private static final int MAX_FAILURES = 3;

    private final ProcessLauncher launcher;
    private final List<String> users;
    private final Executor executor;
    private final Log log;
    private final Charset charset;
    private final Map<String, Slot> slots = new HashMap<>();
    private boolean closed;

    /** The warm shell of one user (guarded by the {@link WarmShells} monitor). */
    private static final class Slot {
        WarmShell ready;
        /** A shell is being spawned or {@link #reserve reserved}: commands wait for it. */
        boolean spawning;
        /** Reserved, the spawn not started yet. */
        boolean reserved;
        int failures;
    }

    /**
     * @param users    users kept warm (others always spawn on demand)
     * @param executor runs the spawns
     */
    WarmShells(ProcessLauncher launcher, List<String> users, Executor executor, Log log) {
        this.launcher = launcher;
        this.users = List.copyOf(users);
        this.executor = executor;
        this.log = log;
        this.charset = argvCharset();
    }

    /** The charset ProcessBuilder encodes arguments with, so both paths hand the shell the same bytes. */
    static Charset argvCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * Runs {@code command} in a warm shell of the plan's user.
     *
     * @param plan how the command would be spawned now ({@link ProcessLauncher#shellPlan})
     * @return the shell running it (its outputs already being read by its pumps),
     *         or {@code null} when no warm shell can serve it exactly (nothing ran then)
     */
    WarmShell run(ShellPlan plan, String command, Timing timing) throws InterruptedException {
        String user = plan.user();
        if (!users.contains(user) || !WarmShell.runsAsGiven(command)) {
            return null;
        }
        WarmShell shell = take(user);
        Timing.mark(timing, "taken");
        if (shell == null) {
            return null;
        }
        if (shell.plan() != plan && !shell.plan().equals(plan)) {
            log.debug("warm shell of " + user + " was spawned for " + shell.plan() + ", now " + plan + ": not used");
            shell.discard();
            return null;
        }
        try {
            if (shell.isAlive()) {
                shell.run(command, charset);
                succeeded(user);
                return shell;
            }
        } catch (IOException e) {
            // the shell died before it read the command: nothing ran
        }
        shell.discard();
        failed(user, "the warm shell had exited");
        return null;
    }

    /** Whether a shell of {@code user} is ready: {@link #run} then does not wait for one. */
    synchronized boolean hasReady(String user) {
        Slot slot = slots.get(user);
        return slot != null && slot.ready != null;
    }

    /**
     * Marks the next shell of {@code user} as on its way without spawning it yet: a command of
     * that user arriving before {@link #replenish} waits for that shell instead of spawning its
     * own. The agent calls this as soon as a command of the user has exited, before it reports
     * the exit status, so the caller's next command cannot overtake the spawn (two spawns would
     * then compete for the vCPU). Does nothing when a shell is ready, coming or not wanted.
     */
    synchronized void reserve(String user) {
        Slot slot = claimable(user);
        if (slot != null) {
            slot.spawning = true;
            slot.reserved = true;
        }
    }

    /** Spawns the next shell of {@code user}: the {@link #reserve reserved} one, else one unless a shell is ready or coming. */
    void replenish(String user) {
        synchronized (this) {
            Slot slot = slots.get(user);
            if (slot != null && slot.reserved) {
                slot.reserved = false;
            } else {
                slot = claimable(user);
                if (slot == null) {
                    return;
                }
                slot.spawning = true;
            }
        }
        try {
            executor.execute(() -> spawn(user));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                slots.get(user).spawning = false;
                notifyAll();
            }
        }
    }

    /** The slot of {@code user} if a shell should be spawned for it now: none ready or coming, user wanted. */
    private Slot claimable(String user) {
        if (closed || !users.contains(user)) {
            return null;
        }
        Slot slot = slots.computeIfAbsent(user, u -> new Slot());
        return slot.ready != null || slot.spawning || slot.failures >= MAX_FAILURES ? null : slot;
    }

    private void spawn(String user) {
        WarmShell shell = null;
        String problem = null;
        try {
            ShellPlan plan = launcher.shellPlan(user);
            if (WarmShell.supports(plan)) {
                shell = new WarmShell(plan, launcher.shell(plan, WarmShell.EVAL_LOADER, Map.of(), false));
                try {
                    shell.startStderrPump(executor);
                } catch (RejectedExecutionException e) {
                    shell.discard();
                    shell = null;
                    problem = "the agent is closing";
                }
            } else {
                problem = "shell " + plan.shell() + " is not one the warm loader supports";
            }
        } catch (IOException e) {
            problem = e.getMessage();
        }
        boolean discard;
        synchronized (this) {
            Slot slot = slots.get(user);
            slot.spawning = false;
            discard = closed || shell == null;
            if (!discard) {
                slot.ready = shell;
            }
            notifyAll();
        }
        if (problem != null) {
            // commands of this user spawn on demand, which reports the problem to dom0 if it is one
            log.debug("no warm shell for " + user + ": " + problem);
        }
        if (discard && shell != null) {
            shell.discard();
        }
        if (shell != null) {
            // this thread becomes the shell's stdout pump: one thread fewer to wake per spawn
            shell.stdout().run();
        }
    }

    private synchronized WarmShell take(String user) throws InterruptedException {
        Slot slot = slots.get(user);
        if (slot == null) {
            return null;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SPAWN_WAIT_MILLIS);
        while (slot.ready == null && slot.spawning && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        WarmShell shell = slot.ready;
        slot.ready = null;
        return shell;
    }

    private synchronized void succeeded(String user) {
        slots.get(user).failures = 0;
    }

    private void failed(String user, String why) {
        boolean givingUp;
        synchronized (this) {
            Slot slot = slots.get(user);
            givingUp = ++slot.failures == MAX_FAILURES;
        }
        log.warn(givingUp ? "warm shells of " + user + " keep dying (" + why + "): no longer kept warm"
                : "warm shell of " + user + " not usable: " + why);
    }

    @Override
    public void close() {
        List<WarmShell> ready = new java.util.ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Slot slot : slots.values()) {
                if (slot.ready != null) {
                    ready.add(slot.ready);
                    slot.ready = null;
                }
            }
            notifyAll();
        }
        ready.forEach(WarmShell::discard);
    }
}
