package io.bulkhead.bench.kvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's per-call timing lines ({@code exec timing (...): STEP MICROS, STEP MICROS, ...},
 * logged with {@code bulkhead.agent_log=debug}) read from a qube's console log, summarised as the
 * median time of each step since the guest's link received the request.
 */
final class AgentTimings {
    private static final String MARKER = "exec timing";

    private final Path consoleLog;

    AgentTimings(Path consoleLog) {
        this.consoleLog = consoleLog;
    }

    /**
     * How many timing lines the console holds once the last call's line is there (the agent
     * logs it after the call's end): a phase's lines are those after this count.
     */
    int count() throws IOException, InterruptedException {
        Thread.sleep(200);
        return lines().size();
    }

    /** Prints the median of each step over the timing lines {@code from} (inclusive) to {@code to} (exclusive). */
    void report(String what, int from, int to) throws IOException {
        List<String> all = lines();
        List<String> phase = all.subList(Math.min(from, all.size()), Math.min(to, all.size()));
        Map<String, List<Double>> steps = new LinkedHashMap<>();
        for (String line : phase) {
            String marks = line.substring(line.indexOf("):", line.indexOf(MARKER)) + 2).trim();
            for (String mark : marks.split(", ")) {
                int space = mark.lastIndexOf(' ');
                if (space > 0) {
                    try {
                        steps.computeIfAbsent(mark.substring(0, space), s -> new ArrayList<>())
                                .add(Double.parseDouble(mark.substring(space + 1)) / 1000);
                    } catch (NumberFormatException e) {
                        // a line cut by other console output: skip the mark
                    }
                }
            }
        }
        if (steps.isEmpty()) {
            System.out.println("agent timing, " + what + ": no timing lines in " + consoleLog);
            return;
        }
        StringBuilder out = new StringBuilder("agent timing, " + what + " (ms since the guest received the request, p50 of "
                + phase.size() + " calls):");
        steps.forEach((step, samples) -> {
            samples.sort(null);
            out.append(String.format(Locale.ROOT, " %s %.2f", step, samples.get(samples.size() / 2)));
        });
        System.out.println(out);
    }

    private List<String> lines() throws IOException {
        if (!Files.exists(consoleLog)) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        for (String line : new String(Files.readAllBytes(consoleLog), StandardCharsets.UTF_8).split("\r?\n")) {
            if (line.contains(MARKER) && line.contains("):")) {
                found.add(line);
            }
        }
        return found;
    }
}
