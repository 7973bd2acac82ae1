package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Any command text reaches the warm shell intact, and runs as it would in a shell spawned for it. */
class WarmShellPropertiesTest {
    private static Path dir;
    private static ExecutorService pool;
    private static ProcessLauncher launcher;
    private static WarmShells warm;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("warm-shell-properties");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, WarmShellsTest.ME + ":x:0:0::" + home + ":/bin/sh\n");
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "warm-property");
            t.setDaemon(true);
            return t;
        });
        launcher = new ProcessLauncher(AgentConfig.UserSwitch.AUTO, new Passwd(passwd), new Log(Log.Level.ERROR));
        warm = new WarmShells(launcher, List.of(WarmShellsTest.ME), pool, new Log(Log.Level.ERROR));
    }

    @AfterContainer
    static void tearDown() throws IOException {
        warm.close();
        pool.shutdownNow();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** ASCII without NUL (a qrexec command is a C string); the argument charset may be ASCII only. */
    @Provide
    Arbitrary<String> text() {
        return Arbitraries.strings().withCharRange((char) 1, (char) 127).ofMaxLength(200)
                .edgeCases(c -> c.add("\n").add("\\").add("1\n2\n").add("'\n'"));
    }

    @Property(tries = 60)
    void singleQuotedTextIsPrintedByteForByte(@ForAll("text") String text) throws Exception {
        String command = "printf '%s' '" + text.replace("'", "'\\''") + "'";
        assertEquals(new WarmShellsTest.Result(0, text, ""), warmRun(command));
    }

    /** Shell-ish noise: words, quotes, separators, redirections, newlines; nothing that expands differently per process. */
    @Provide
    Arbitrary<String> commandText() {
        return Arbitraries.strings().withChars("abcxyz019 \n\t'\"\\;|&<>(){}#=-:.!").ofMaxLength(40);
    }

    @Property(tries = 60)
    void arbitraryCommandTextRunsAsInAFreshShell(@ForAll("commandText") String command) throws Exception {
        WarmShellsTest.Result fresh = WarmShellsTest.collect(launcher.shell(WarmShellsTest.ME, command, Map.of(), false), "");
        warm.replenish(WarmShellsTest.ME);
        WarmShell shell = warm.run(launcher.shellPlan(WarmShellsTest.ME), command, null);
        if (shell == null) {
            assertFalse(WarmShell.runsAsGiven(command), "only option-like commands are refused: " + command);
            return;
        }
        WarmShellsTest.Result warmResult = WarmShellsTest.collect(shell, "");
        // the shell's error messages may say "eval" on the warm path; status and stdout are the command's
        assertEquals(fresh.exit(), warmResult.exit(), command);
        assertEquals(fresh.out(), warmResult.out(), command);
    }

    private static WarmShellsTest.Result warmRun(String command) throws Exception {
        warm.replenish(WarmShellsTest.ME);
        WarmShell shell = warm.run(launcher.shellPlan(WarmShellsTest.ME), command, null);
        assertNotNull(shell);
        return WarmShellsTest.collect(shell, "");
    }
}
