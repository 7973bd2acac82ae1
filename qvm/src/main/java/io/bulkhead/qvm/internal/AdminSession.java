package io.bulkhead.qvm.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.bulkhead.qvm.client.AdminTransport;
import io.bulkhead.qvm.client.QubesCallException;

/**
 * The Admin API as one tool run sees it, with qubesadmin's caches: the qube list and each qube's properties
 * ({@code GetAll}) are fetched once per run unless {@link #forgetQubes()} is called after a change.
 */
public final class AdminSession {
    /** Below this many qubes, fetching one by one is as fast. */
    private static final int PREFETCH_THRESHOLD = 8;
    /** Connections in flight while prefetching (qubesd serves each on its own thread). */
    private static final int PREFETCH_THREADS = 4;
    private final AdminTransport transport;
    private List<QubeEntry> qubes;
    /** Fetched concurrently by {@link #prefetchProperties}, hence a concurrent map. */
    private final Map<String, Map<String, PropertyValue>> properties = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> volumeInfo = new HashMap<>();

    public AdminSession(AdminTransport transport) {
        this.transport = transport;
    }

    public AdminTransport transport() {
        return transport;
    }

    /** @return the answer, decoded as UTF-8 */
    public String call(String destination, String method, String argument, String payload) {
        byte[] body = payload == null ? new byte[0] : payload.getBytes(StandardCharsets.UTF_8);
        return new String(transport.call(destination, method, argument == null ? "" : argument, body), StandardCharsets.UTF_8);
    }

    public String call(String destination, String method, String argument) {
        return call(destination, method, argument, null);
    }

    public String call(String destination, String method) {
        return call(destination, method, "", null);
    }

    /** @return the non-empty lines of an answer */
    public static List<String> lines(String answer) {
        List<String> lines = new ArrayList<>();
        for (String line : answer.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    // ---- qubes ------------------------------------------------------------------------------

    /** @return every qube, in the server's order ({@code admin.vm.List}, cached) */
    public List<QubeEntry> qubes() {
        if (qubes == null) {
            List<QubeEntry> list = new ArrayList<>();
            for (String line : lines(call("dom0", "admin.vm.List"))) {
                list.add(QubeEntry.parse(line));
            }
            qubes = List.copyOf(list);
        }
        return qubes;
    }

    public Optional<QubeEntry> qube(String name) {
        for (QubeEntry qube : qubes()) {
            if (qube.name().equals(name)) {
                return Optional.of(qube);
            }
        }
        return Optional.empty();
    }

    /** Drops the cached list and properties after qubes were created, removed or changed. */
    public void forgetQubes() {
        qubes = null;
        properties.clear();
        volumeInfo.clear();
    }

    // ---- properties -------------------------------------------------------------------------

    /** @return every property of a qube ({@code admin.vm.property.GetAll}, cached), by name */
    public Map<String, PropertyValue> properties(String qube) {
        return properties.computeIfAbsent(qube, q -> parseAll(call(q, "admin.vm.property.GetAll")));
    }

    /**
     * Fetches the properties of many qubes with a few connections in flight at once: listing 200 qubes is 200
     * GetAll calls, and a fresh JVM spends most of qvm-ls's time on them one by one.
     */
    public void prefetchProperties(List<String> qubes) {
        List<String> missing = qubes.stream().filter(q -> !properties.containsKey(q)).toList();
        if (missing.size() < PREFETCH_THRESHOLD) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(PREFETCH_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "qvm-prefetch");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> fetches = new ArrayList<>();
            for (String qube : missing) {
                fetches.add(pool.submit(() -> properties.put(qube, parseAll(call(qube, "admin.vm.property.GetAll")))));
            }
            for (Future<?> fetch : fetches) {
                fetch.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // the same call made again on first use reports the error where it matters
        } finally {
            pool.shutdownNow();
        }
    }

    /** @return every global property ({@code admin.property.GetAll}, cached) */
    public Map<String, PropertyValue> globalProperties() {
        return properties.computeIfAbsent("\0global", q -> parseAll(call("dom0", "admin.property.GetAll")));
    }

    /** @return a qube's property from the cached {@code GetAll}; empty when the qube has no such property */
    public Optional<PropertyValue> property(String qube, String name) {
        return Optional.ofNullable(properties(qube).get(name));
    }

    /** {@code NAME default=.. type=.. VALUE} lines with {@code \\} and {@code \n} escaped. */
    static Map<String, PropertyValue> parseAll(String answer) {
        Map<String, PropertyValue> all = new LinkedHashMap<>();
        for (String line : lines(answer)) {
            String unescaped = unescape(line);
            int space = unescaped.indexOf(' ');
            if (space < 0) {
                throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "Invalid GetAll line: '" + line + "'");
            }
            all.put(unescaped.substring(0, space), PropertyValue.parse(unescaped.substring(space + 1)));
        }
        return all;
    }

    private static String unescape(String line) {
        if (line.indexOf('\\') < 0) {
            return line;
        }
        StringBuilder out = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                char next = line.charAt(++i);
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    // ---- features ---------------------------------------------------------------------------

    /** @return the feature's value, or empty when it is not set ({@code QubesFeatureNotFoundError}) */
    public Optional<String> feature(String qube, String feature) {
        try {
            return Optional.of(call(qube, "admin.vm.feature.Get", feature));
        } catch (QubesCallException e) {
            if (e.isA("QubesFeatureNotFoundError")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public List<String> tags(String qube) {
        return lines(call(qube, "admin.vm.tag.List"));
    }

    // ---- volumes ----------------------------------------------------------------------------

    public List<String> volumes(String qube) {
        return lines(call(qube, "admin.vm.volume.List"));
    }

    /** @return {@code admin.vm.volume.Info} as key/value pairs (cached) */
    public Map<String, String> volumeInfo(String qube, String volume) {
        return volumeInfo.computeIfAbsent(qube + ":" + volume, key -> {
            Map<String, String> info = new LinkedHashMap<>();
            for (String line : lines(call(qube, "admin.vm.volume.Info", volume))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    info.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return info;
        });
    }

    public List<String> labels() {
        return lines(call("dom0", "admin.label.List"));
    }
}
