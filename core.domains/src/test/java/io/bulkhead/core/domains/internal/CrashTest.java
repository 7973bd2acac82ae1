package io.bulkhead.core.domains.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that mutates the store with SIGKILL at random moments, many times in a row on
 * the same store. After every kill the store must load and hold every acknowledged mutation (and
 * possibly the one in flight, whose save may have completed before the kill).
 */
class CrashTest {

    /** Iterations; {@code -Dcrash.iterations=N} overrides. */
    private static final int ITERATIONS = Integer.getInteger("crash.iterations", 50);

    @TempDir
    Path dir;

    @Test
    void storeSurvivesSigkillAtRandomMoments() throws Exception {
        Path store = Files.createDirectories(dir.resolve("data"));
        Random timing = new Random(42);
        TreeMap<String, CrashWorkload.QubeState> before = new TreeMap<>();
        long totalAcks = 0;
        int killedMidRun = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = 1000L + i;
            Path ackFile = dir.resolve("acks-" + i);
            Path errFile = dir.resolve("child-" + i + ".err");
            Process child = new ProcessBuilder(javaCommand(store, seed, ackFile))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile()).start();
            long deadline = System.currentTimeMillis() + 30_000;
            while (!lines(ackFile).contains("READY") && child.isAlive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            if (!lines(ackFile).contains("READY")) {
                child.destroyForcibly();
                fail("child " + i + " did not start: " + Files.readString(errFile));
            }
            Thread.sleep(20 + timing.nextInt(250));
            if (child.isAlive()) {
                killedMidRun++;
            } else {
                fail("child " + i + " died by itself: " + Files.readString(errFile));
            }
            child.destroyForcibly();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                fail("child " + i + " survived SIGKILL");
            }
            long n = lastAck(lines(ackFile));
            totalAcks += n;

            TreeMap<String, CrashWorkload.QubeState> loaded;
            try (DomainsServiceImpl s = TestSupport.open(store)) {
                loaded = CrashWorkload.project(s);
            } catch (RuntimeException e) {
                throw new AssertionError("iteration " + i + ": store does not load after SIGKILL after " + n + " acks", e);
            }
            // replay the child's choices: state after n acknowledged calls, or n+1 if the last save completed
            Random replay = new Random(seed);
            TreeMap<String, CrashWorkload.QubeState> expected = CrashWorkload.copy(before);
            for (long k = 0; k < n; k++) {
                CrashWorkload.next(replay, expected).apply(expected);
            }
            TreeMap<String, CrashWorkload.QubeState> oneMore = CrashWorkload.copy(expected);
            CrashWorkload.next(replay, oneMore).apply(oneMore);
            if (!loaded.equals(expected) && !loaded.equals(oneMore)) {
                fail("iteration " + i + " (seed " + seed + ", " + n + " acks): store lost acknowledged mutations\nexpected "
                        + expected + "\nloaded   " + loaded);
            }
            before = loaded;
        }
        System.out.println("[crash test] " + ITERATIONS + " SIGKILLs (" + killedMidRun + " mid-run), " + totalAcks
                + " acknowledged mutations, all present after reload; final store holds " + before.size() + " qubes");
        assertTrue(totalAcks > ITERATIONS, "the children must have done real work");
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.US_ASCII) : List.of();
    }

    private static long lastAck(List<String> lines) {
        long n = 0;
        for (String l : lines) {
            if (l.startsWith("ACK ") && l.length() > 4) {
                n = Long.parseLong(l.substring(4).strip());
            }
        }
        return n;
    }

    private List<String> javaCommand(Path store, long seed, Path ackFile) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx96m",
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), store.toString(),
                Long.toString(seed), ackFile.toString());
    }
}
