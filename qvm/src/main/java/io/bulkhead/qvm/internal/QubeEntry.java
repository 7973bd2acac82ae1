package io.bulkhead.qvm.internal;

import java.util.Locale;

/**
 * One line of {@code admin.vm.List}: {@code NAME class=CLS state=STATE uuid=UUID}.
 *
 * @param name  qube name
 * @param klass class name ({@code AppVM}, {@code AdminVM}, ...)
 * @param state power state ({@code Running}, {@code Halted}, ...)
 * @param uuid  uuid ({@code ""} if not sent)
 */
public record QubeEntry(String name, String klass, String state, String uuid) {

    /** Parses one list line; unknown {@code key=value} items are ignored. */
    public static QubeEntry parse(String line) {
        String[] items = line.split(" ");
        String klass = "";
        String state = "";
        String uuid = "";
        for (int i = 1; i < items.length; i++) {
            int eq = items[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = items[i].substring(eq + 1);
            switch (items[i].substring(0, eq)) {
                case "class" -> klass = value;
                case "state" -> state = value;
                case "uuid" -> uuid = value;
                default -> { }
            }
        }
        return new QubeEntry(items[0], klass, state, uuid);
    }

    /** qubesadmin's {@code is_running()}: any state but Halted and NA. */
    public boolean running() {
        return !"Halted".equals(state) && !"NA".equals(state);
    }

    public boolean paused() {
        return "Paused".equals(state);
    }

    public boolean halted() {
        return "Halted".equals(state);
    }

    public boolean adminVm() {
        return "AdminVM".equals(klass);
    }

    /** @return the state lower-cased, as qvm-ls filters compare it */
    public String stateLower() {
        return state.toLowerCase(Locale.ROOT);
    }
}
