package io.bulkhead.qvm.internal.tools;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.QubeEntry;

/** Qubes' {@code generic_action}: one action per qube, run concurrently, failures collected per qube. */
final class Parallel {
    /** Enough to overlap slow starts and shutdowns without a thread per qube of a big --all. */
    private static final int MAX_THREADS = 8;

    private Parallel() {
    }

    /**
     * @param ignored Qubes classes (and their subclasses) that do not count as failures
     * @return the failures, in the order of {@code qubes}
     */
    static Map<QubeEntry, QubesCallException> each(List<QubeEntry> qubes, Consumer<QubeEntry> action, String... ignored) {
        Map<QubeEntry, QubesCallException> failures = new LinkedHashMap<>();
        if (qubes.size() <= 1) {
            for (QubeEntry qube : qubes) {
                attempt(qube, action, ignored, failures);
            }
            return failures;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(qubes.size(), MAX_THREADS), runnable -> {
            Thread thread = new Thread(runnable, "qvm-action");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Map<QubeEntry, Future<QubesCallException>> results = new LinkedHashMap<>();
            for (QubeEntry qube : qubes) {
                results.put(qube, pool.submit(() -> {
                    Map<QubeEntry, QubesCallException> one = new LinkedHashMap<>();
                    attempt(qube, action, ignored, one);
                    return one.get(qube);
                }));
            }
            for (Map.Entry<QubeEntry, Future<QubesCallException>> result : results.entrySet()) {
                QubesCallException failure = result.getValue().get();
                if (failure != null) {
                    failures.put(result.getKey(), failure);
                }
            }
            return failures;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QubesCallException(QubesCallException.QUBES_EXCEPTION, "interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void attempt(QubeEntry qube, Consumer<QubeEntry> action, String[] ignored, Map<QubeEntry, QubesCallException> failures) {
        try {
            action.accept(qube);
        } catch (QubesCallException e) {
            for (String ignore : ignored) {
                if (e.isA(ignore)) {
                    return;
                }
            }
            failures.put(qube, e);
        }
    }
}
