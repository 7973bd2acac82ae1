package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shell commands run in a shell spawned ahead ({@link WarmShells}) give what a shell spawned for
 * them gives; whatever the warm shell cannot serve exactly falls back (run returns null, nothing ran).
 */
@Timeout(60)
class WarmShellsTest {
    static final String ME = System.getProperty("user.name");

    @TempDir
    Path dir;

    Path passwd;
    Path home;
    ExecutorService pool;
    ProcessLauncher launcher;
    WarmShells warm;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(dir.resolve("home"));
        passwd = dir.resolve("passwd");
        writePasswd(home, "/bin/sh");
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "warm-test");
            t.setDaemon(true);
            return t;
        });
        launcher = new ProcessLauncher(AgentConfig.UserSwitch.AUTO, new Passwd(passwd), new Log(Log.Level.ERROR), 0);
        warm = new WarmShells(launcher, List.of(ME), pool, new Log(Log.Level.ERROR));
        warm.replenish(ME);
    }

    @AfterEach
    void tearDown() {
        warm.close();
        pool.shutdownNow();
    }

    private void writePasswd(Path homeDir, String shell) throws IOException {
        // the size changes with the content, so the cached file is re-read even within one millisecond
        Files.writeString(passwd, "other:x:4242:4242::/nonexistent:/bin/sh\n" + ME + ":x:0:0:test user:" + homeDir + ":" + shell + "\n");
    }

    record Result(int exit, String out, String err) {
    }

    /** The command through a warm shell (fails the test if none served it), spawned after the last as the agent does. */
    Result warmRun(String command, String stdin) throws Exception {
        warm.replenish(ME);
        WarmShell shell = warm.run(launcher.shellPlan(ME), command, null);
        assertNotNull(shell, "a warm shell serves " + command);
        return collect(shell, stdin);
    }

    /** The command through a shell spawned for it: what the warm path must match. */
    Result freshRun(String command, String stdin) throws Exception {
        return collect(launcher.shell(ME, command, Map.of(), false), stdin);
    }

    /** The command in a warm shell: its outputs through the shell's pumps, which already read them. */
    static Result collect(WarmShell shell, String stdin) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        shell.stdout().attach(new OutputPump.Target(into(out), 65536, null, null));
        shell.stderr().attach(new OutputPump.Target(into(err), 65536, null, null));
        Process p = shell.process();
        feed(p, stdin);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the command ends");
        shell.stdout().endedLast().get(30, TimeUnit.SECONDS);
        shell.stderr().endedLast().get(30, TimeUnit.SECONDS);
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static OutputPump.Sink into(ByteArrayOutputStream bytes) {
        return new OutputPump.Sink() {
            @Override
            public void data(byte[] b, int off, int len) {
                bytes.write(b, off, len);
            }

            @Override
            public void end() {
            }
        };
    }

    private static void feed(Process p, String stdin) {
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command does not read its stdin
        }
    }

    static Result collect(Process p, String stdin) throws Exception {
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command does not read its stdin
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the command ends");
        return new Result(p.exitValue(), out.get(30, TimeUnit.SECONDS), err.get(30, TimeUnit.SECONDS));
    }

    static String read(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void stdoutStderrAndExitStatusAreTheCommands() throws Exception {
        String command = "echo out; echo err >&2; exit 3";
        assertEquals(new Result(3, "out\n", "err\n"), warmRun(command, ""));
        assertEquals(freshRun(command, ""), warmRun(command, ""));
    }

    @Test
    void whatFollowsTheCommandIsItsStdin() throws Exception {
        assertEquals(new Result(0, "HELLO\nWORLD", ""), warmRun("tr a-z A-Z", "hello\nworld"));
        // lines that look like the loader's own input (a line count, a command) are plain data
        String stdin = "2\necho injected\n\n1\nexit 9\n";
        assertEquals(new Result(0, "first [2]\n" + stdin.substring(2), ""), warmRun("IFS= read -r x; echo \"first [$x]\"; cat", stdin));
    }

    @Test
    void multiLineAndQuotedCommandsArriveIntact() throws Exception {
        List<String> commands = List.of(
                "printf '%s|' 'a  b' \"c'd\" 'e\"f' \\\\ '$HOME'",
                "echo one\necho two\n\necho 'three\n3'\n",
                "cat <<'EOF'\n1\n  $x\nEOF\necho after",
                "echo trailing \\",
                "echo ends with a backslash-newline \\\n",
                "x=1\nif [ $x = 1 ]; then\n  echo yes\nfi",
                "printf '%s' \"$(printf '1\\n2\\n3')\"",
                "echo ${__bh_c-unset} ${__bh_n-unset} ${__bh_l-unset} $0 $#; set | grep -c __bh",
                "f() { return 4; }; f; echo $?");
        for (String command : commands) {
            Result warmResult = warmRun(command, "");
            assertEquals(freshRun(command, ""), warmResult, command);
        }
        assertEquals("unset unset unset /bin/sh 0\n0\n", warmRun(commands.get(7), "").out(), "the loader leaves nothing behind");
    }

    /** The guest's shell: busybox ash (the host's /bin/sh may be dash, root's shell bash). */
    @Test
    void busyboxShellGivesWhatItGivesFresh() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(busybox), "needs busybox (busybox-static, as the template)");
        Path sh = dir.resolve("bin").resolve("sh");
        Files.createDirectories(sh.getParent());
        Files.copy(busybox, sh, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        writePasswd(home, sh.toString());
        warm.close();
        warm = new WarmShells(launcher, List.of(ME), pool, new Log(Log.Level.ERROR));
        List<String> commands = List.of("echo out; echo err >&2; exit 3", "tr a-z A-Z", "IFS= read -r x; echo \"[$x]\"; cat",
                "printf '%s|' 'a  b' \"c'd\" \\\\ \"$0\" $# $LINENO", "cat <<'EOF'\n1\n  $x\nEOF\necho \"$LINENO\"",
                "echo ${__bh_c-unset} ${__bh_n-unset} ${__bh_l-unset} ${__bh_nl-unset}", "f() { return 4; }; f; echo $?",
                "true\nno-such-command-here", "kill -9 $$", "é=1; echo ü");
        for (String command : commands) {
            Result fresh = freshRun(command, "line one\n2\n");
            Result warmResult = warmRun(command, "line one\n2\n");
            // busybox names eval in its own error messages: "sh: eval: line 1: x: not found" for "sh: x: not found"
            assertEquals(fresh, new Result(warmResult.exit(), warmResult.out(), warmResult.err().replaceAll("eval: line \\d+: ", "")),
                    command);
        }
        assertEquals("unset unset unset unset\n", warmRun(commands.get(5), "").out());
    }

    @Test
    void shellErrorsKeepStatusAndLineButMayNameEval() throws Exception {
        String command = "true\nno-such-command-here";
        Result fresh = freshRun(command, "");
        Result warmResult = warmRun(command, "");
        assertEquals(127, warmResult.exit());
        assertEquals(fresh.exit(), warmResult.exit());
        assertEquals(fresh.err().replace("eval: ", ""), warmResult.err().replace("eval: ", ""), "the same message, perhaps naming eval");
    }

    @Test
    void environmentAndDirectoryAreTheFreshShells() throws Exception {
        String command = "echo \"HOME=$HOME USER=$USER LOGNAME=$LOGNAME PWD=$(pwd)\"; env | LC_ALL=C sort";
        Result warmResult = warmRun(command, "");
        assertTrue(warmResult.out().startsWith("HOME=" + home + " USER=" + ME + " LOGNAME=" + ME + " PWD=" + home + "\n"), warmResult.out());
        assertEquals(freshRun(command, ""), warmResult);
    }

    @Test
    void exitExecAndSignalsEndTheCommandAsInAFreshShell() throws Exception {
        assertEquals(new Result(7, "", ""), warmRun("exit 7", ""));
        assertEquals(new Result(0, "replaced\n", ""), warmRun("exec echo replaced", ""));
        assertEquals(freshRun("kill -9 $$", ""), warmRun("kill -9 $$", ""));
        assertEquals(137, warmRun("kill -9 $$", "").exit());
    }

    @Test
    void longCommandsAreHandedOverWhole() throws Exception {
        String word = "x".repeat(60_000);
        assertEquals(new Result(0, word.length() + "\n", ""), warmRun("v=" + word + "\necho ${#v}", ""));
    }

    @Test
    void usersNotKeptWarmAndOptionLikeCommandsAreSpawnedOnDemand() throws Exception {
        assertNull(warm.run(launcher.shellPlan("other"), "echo hi", null));
        // "SHELL -c -x" reads -x as an option: the warm shell would run it as a command instead
        assertNull(warm.run(launcher.shellPlan(ME), "-x", null));
        assertNull(warm.run(launcher.shellPlan(ME), "+x; echo hi", null));
        assertEquals(new Result(0, "hi\n", ""), warmRun("echo hi", ""));
    }

    @Test
    void aShellSpawnedForAnotherPlanIsNotUsed() throws Exception {
        ProcessHandle stale = waitForWarmShell();
        Path otherHome = Files.createDirectories(dir.resolve("elsewhere"));
        writePasswd(otherHome, "/bin/sh");
        assertNull(warm.run(launcher.shellPlan(ME), "touch ran-in-stale-shell", null), "the home changed since the shell was spawned");
        assertTrue(stale.onExit().get(10, TimeUnit.SECONDS) != null, "the stale shell is ended");
        assertTrue(!Files.exists(home.resolve("ran-in-stale-shell")) && !Files.exists(otherHome.resolve("ran-in-stale-shell")));
        warm.replenish(ME);
        assertEquals(new Result(0, otherHome + "\n", ""), warmRun("pwd", ""), "the next shell follows the new plan");
    }

    @Test
    void aShellKilledFromOutsideFallsBackWithoutRunningAnything() throws Exception {
        ProcessHandle shell = waitForWarmShell();
        shell.destroyForcibly();
        shell.onExit().get(10, TimeUnit.SECONDS);
        Path marker = home.resolve("marker");
        assertNull(warm.run(launcher.shellPlan(ME), "echo ran >> " + marker, null), "a dead shell cannot serve: the caller spawns");
        assertTrue(!Files.exists(marker), "nothing ran");
        warm.replenish(ME);
        assertEquals(new Result(0, "", ""), warmRun("echo ran >> " + marker, ""));
        assertEquals("ran\n", Files.readString(marker), "the command ran exactly once");
    }

    @Test
    void aUserWhoseShellsKeepDyingIsNoLongerKeptWarm() throws Exception {
        for (int i = 0; i < 3; i++) {
            ProcessHandle shell = waitForWarmShell();
            shell.destroyForcibly();
            shell.onExit().get(10, TimeUnit.SECONDS);
            assertNull(warm.run(launcher.shellPlan(ME), "true", null));
            warm.replenish(ME);
        }
        Thread.sleep(300);
        assertEquals(List.of(), warmShells(), "no more warm shells after three dead ones");
        assertNull(warm.run(launcher.shellPlan(ME), "true", null));
    }

    @Test
    void aShellTheLoaderCannotDriveIsNotWarmed() throws Exception {
        warm.close();
        Path fish = dir.resolve("fish");
        Files.writeString(fish, "#!/bin/sh\nexec /bin/sh \"$@\"\n");
        Files.setPosixFilePermissions(fish, PosixFilePermissions.fromString("rwxr-xr-x"));
        writePasswd(home, fish.toString());
        warm = new WarmShells(launcher, List.of(ME), pool, new Log(Log.Level.ERROR));
        warm.replenish(ME);
        Thread.sleep(300);
        assertEquals(List.of(), warmShells());
        assertNull(warm.run(launcher.shellPlan(ME), "echo hi", null), "not a shell the loader knows: spawned on demand");
    }

    @Test
    void aCommandArrivingAfterTheReservationWaitsForTheReservedShell() throws Exception {
        assertEquals(new Result(0, "first\n", ""), collect(warm.run(launcher.shellPlan(ME), "echo first", null), ""));
        warm.reserve(ME);
        CompletableFuture<WarmShell> next = CompletableFuture.supplyAsync(() -> {
            try {
                return warm.run(launcher.shellPlan(ME), "echo second", null);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, pool);
        Thread.sleep(300);
        assertTrue(!next.isDone(), "the command waits for the reserved shell instead of spawning its own");
        assertEquals(List.of(), warmShells(), "reserving spawns nothing");
        warm.replenish(ME);
        WarmShell shell = next.get(10, TimeUnit.SECONDS);
        assertNotNull(shell, "the reserved shell serves it");
        assertEquals(new Result(0, "second\n", ""), collect(shell, ""));
    }

    @Test
    void reservingWhileAShellIsReadySpawnsNoSecondOne() throws Exception {
        ProcessHandle ready = waitForWarmShell();
        warm.reserve(ME);
        warm.replenish(ME);
        Thread.sleep(300);
        assertEquals(List.of(ready), warmShells(), "still exactly the one ready shell");
        assertEquals(new Result(0, "hi\n", ""), collect(warm.run(launcher.shellPlan(ME), "echo hi", null), ""));
    }

    @Test
    void closingEndsTheReadyShells() throws Exception {
        ProcessHandle shell = waitForWarmShell();
        warm.close();
        shell.onExit().get(10, TimeUnit.SECONDS);
        assertNull(warm.run(launcher.shellPlan(ME), "true", null));
    }

    /** Waits until exactly one warm shell runs and returns it. */
    private ProcessHandle waitForWarmShell() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            List<ProcessHandle> shells = warmShells();
            if (shells.size() == 1) {
                return shells.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no warm shell appeared: " + warmShells());
    }

    /** Live child processes running the loader. */
    private static List<ProcessHandle> warmShells() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().orElse("").contains("__bh_n")).toList();
    }
}
