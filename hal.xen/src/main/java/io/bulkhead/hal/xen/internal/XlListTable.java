package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.DomainState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads the table {@code xl list -v} prints: one line per domain with name, id, memory, vCPUs,
 * the six state flags, CPU time, UUID, shutdown reason code and security label.
 *
 * <p>The state column is {@code rbpsRd}: running, blocked, paused, shut down, the shutdown
 * reason letter ({@code -} poweroff, {@code r} reboot, {@code s} suspend, {@code c} crash,
 * {@code w} watchdog, {@code S} soft reset; only meaningful with {@code s}) and dying, each
 * {@code -} when unset. {@code xl list -l} (JSON) carries each domain's configuration but no
 * run state, so the state comes from this table. Fields are read from the right, so a domain
 * name with spaces (possible in Xen, never made by Bulkhead) does not shift them.
 */
final class XlListTable {

    private static final Pattern FLAGS = Pattern.compile("[r-][b-][p-][s-][-rscwS?][d-]");
    private static final int COLUMNS_AFTER_NAME = 8;

    /**
     * One row.
     *
     * @param name   domain name
     * @param domid  Xen domain id
     * @param uuid   the domain's UUID
     * @param flags  the six state flags
     */
    record Row(String name, int domid, Optional<UUID> uuid, String flags) {

        /** @return the flags as a {@link DomainState} */
        DomainState state() {
            if (flags.charAt(5) == 'd') {
                return DomainState.DYING;
            }
            if (flags.charAt(3) == 's') {
                return switch (flags.charAt(4)) {
                    case 'c', 'w' -> DomainState.CRASHED;
                    case 's' -> DomainState.SUSPENDED;
                    default -> DomainState.SHUTTING_DOWN;
                };
            }
            return flags.charAt(2) == 'p' ? DomainState.PAUSED : DomainState.RUNNING;
        }

        /** @return a short text for state-change reasons, e.g. "crashed" */
        String shutdownReason() {
            return switch (flags.charAt(4)) {
                case 'c' -> "crashed";
                case 'w' -> "stopped by its watchdog";
                case 's' -> "suspended";
                case 'r' -> "rebooting";
                case 'S' -> "soft reset";
                default -> "powered off";
            };
        }
    }

    private XlListTable() {
    }

    /**
     * @param output what {@code xl list -v} printed
     * @return guest domains by name (Domain-0, id 0, left out), in output order
     * @throws IllegalArgumentException naming the line that does not have the expected columns
     */
    static Map<String, Row> parse(String output) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            if (line.isBlank() || line.startsWith("Name ")) {
                continue;
            }
            String[] t = line.trim().split("\\s+");
            int n = t.length;
            if (n < COLUMNS_AFTER_NAME + 1) {
                throw new IllegalArgumentException("unexpected line in `xl list -v` output (expected name, id, mem, "
                        + "vcpus, state, time, uuid, reason, label): '" + line + "'");
            }
            String flags = t[n - 5];
            if (!FLAGS.matcher(flags).matches()) {
                throw new IllegalArgumentException("unexpected state '" + flags + "' in `xl list -v` line '" + line + "'");
            }
            int domid;
            try {
                domid = Integer.parseInt(t[n - 8]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unexpected domain id '" + t[n - 8] + "' in `xl list -v` line '"
                        + line + "'", e);
            }
            Optional<UUID> uuid;
            try {
                uuid = Optional.of(UUID.fromString(t[n - 3]));
            } catch (IllegalArgumentException e) {
                uuid = Optional.empty();
            }
            String name = String.join(" ", java.util.Arrays.copyOfRange(t, 0, n - COLUMNS_AFTER_NAME));
            if (domid != 0) {
                rows.put(name, new Row(name, domid, uuid, flags));
            }
        }
        return rows;
    }
}
