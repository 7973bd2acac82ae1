package io.bulkhead.agent.internal;

import java.util.TimeZone;

/**
 * The agent's logger: lines on stderr (the guest's console or a log file). java.util.logging is
 * not in a {@code java.base}-only runtime, so this stays tiny.
 *
 * <p>The time stamp is formatted by hand: {@code java.time}'s formatter pulls in about a hundred
 * classes and the method-handle machinery (its lambdas), which cost a few hundred ms of the
 * agent's first log line under TCG, before its hello.
 */
final class Log {
    enum Level { DEBUG, INFO, WARN, ERROR }

    private static final long DAY_MILLIS = 86_400_000L;

    private final Level threshold;
    /** Looked up at the first line: the time-zone data is read then, not before the hello. */
    private volatile TimeZone zone;

    Log(Level threshold) {
        this.threshold = threshold;
    }

    boolean isDebug() {
        return threshold == Level.DEBUG;
    }

    void debug(String message) {
        log(Level.DEBUG, message);
    }

    void info(String message) {
        log(Level.INFO, message);
    }

    void warn(String message) {
        log(Level.WARN, message);
    }

    void error(String message) {
        log(Level.ERROR, message);
    }

    private void log(Level level, String message) {
        if (level.ordinal() >= threshold.ordinal()) {
            String line = localTime(System.currentTimeMillis()) + " qrexec-agent " + level + " " + message;
            synchronized (System.err) {
                System.err.println(line);
            }
        }
    }

    /** {@code HH:mm:ss.SSS} of the local time at {@code epochMillis}. */
    String localTime(long epochMillis) {
        TimeZone z = zone;
        if (z == null) {
            z = TimeZone.getDefault();
            zone = z;
        }
        long ms = Math.floorMod(epochMillis + z.getOffset(epochMillis), DAY_MILLIS);
        StringBuilder b = new StringBuilder(12);
        twoDigits(b, ms / 3_600_000).append(':');
        twoDigits(b, ms / 60_000 % 60).append(':');
        twoDigits(b, ms / 1000 % 60).append('.');
        long millis = ms % 1000;
        if (millis < 100) {
            b.append('0');
        }
        return twoDigits(b, millis).toString();
    }

    private static StringBuilder twoDigits(StringBuilder b, long value) {
        if (value < 10) {
            b.append('0');
        }
        return b.append(value);
    }
}
