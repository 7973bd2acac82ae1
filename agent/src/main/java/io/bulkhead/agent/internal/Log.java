package io.bulkhead.agent.internal;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The agent's logger: lines on stderr (the guest's console or a log file). java.util.logging is
 * not in a {@code java.base}-only runtime, so this stays tiny.
 */
final class Log {
    enum Level { DEBUG, INFO, WARN, ERROR }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final Level threshold;

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
            String line = LocalTime.now().format(TIME) + " qrexec-agent " + level + " " + message;
            synchronized (System.err) {
                System.err.println(line);
            }
        }
    }
}
