package io.bulkhead.agent.internal;

/** Named steps of one call with their time since it started, for debug logs (not thread-safe, one call per instance). */
final class Timing {
    private final long start;
    private final StringBuilder steps = new StringBuilder();

    /** @param start {@link System#nanoTime()} when the call began */
    Timing(long start) {
        this.start = start;
    }

    void mark(String step) {
        markAt(step, System.nanoTime());
    }

    /** Marks {@code step} as reached at {@code nanos} ({@link System#nanoTime()}). */
    void markAt(String step, long nanos) {
        steps.append(steps.length() == 0 ? "" : ", ").append(step).append(' ').append((nanos - start) / 1000);
    }

    /** Marks {@code step} if timing is on ({@code timing} not null). */
    static void mark(Timing timing, String step) {
        if (timing != null) {
            timing.mark(step);
        }
    }

    @Override
    public String toString() {
        return steps.toString();
    }
}
