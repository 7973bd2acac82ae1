package io.bulkhead.bench.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.bulkhead.qvm.client.QubesdClient;
import io.bulkhead.qvm.internal.Io;
import io.bulkhead.qvm.internal.Tools;

/**
 * {@code ./bulkhead bench admin [--socket PATH] [--qubes N] [--runs R] [--qvm-target DIR] [--run QUBE [--pause-ms N] [--run-only]]}: qvm-ls
 * against N qubes; with {@code --run QUBE} (a running qube of a real dom0) also the round trip of a trivial command
 * into that qube ({@code bulkhead.vm.Run}: Admin API, qrexec, the guest agent, a process in the guest), back to back
 * or spaced by {@code --pause-ms}; {@code --run-only} stops after that figure.
 *
 * <p>Prints (1) the server time of the calls qvm-ls makes (admin.vm.List + one GetAll per qube) from a warm client,
 * (2) qvm-ls inside this warm JVM, (3) the whole command as the launcher runs it, a fresh JVM each time, with and
 * without the AppCDS archive. Without {@code --socket} (or {@code $BULKHEAD_ADMIN_SOCKET}) a synthetic qubesd with
 * N qubes serves the calls; point it at a running dom0 to measure core.admin.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        String socketArg = System.getenv("BULKHEAD_ADMIN_SOCKET");
        int qubes = 200;
        int runs = 15;
        Path qvmTarget = null;
        String runQube = null;
        long pauseMillis = 0;
        boolean runOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--socket" -> socketArg = value(args, ++i);
                case "--qubes" -> qubes = Integer.parseInt(value(args, ++i));
                case "--runs" -> runs = Integer.parseInt(value(args, ++i));
                case "--qvm-target" -> qvmTarget = Path.of(value(args, ++i));
                case "--run" -> runQube = value(args, ++i);
                case "--pause-ms" -> pauseMillis = Long.parseLong(value(args, ++i));
                case "--run-only" -> runOnly = true;
                default -> {
                    System.err.println("usage: bulkhead bench admin [--socket PATH] [--qubes N] [--runs R] [--qvm-target DIR] [--run QUBE]"
                            + " [--pause-ms N] [--run-only]");
                    System.exit(2);
                }
            }
        }
        SyntheticQubesd synthetic = null;
        Path socket;
        if (socketArg == null || socketArg.isEmpty()) {
            synthetic = new SyntheticQubesd(qubes);
            socket = synthetic.socket();
            System.out.printf("qubesd: synthetic, %d qubes (no --socket given: server figures are a floor, not core.admin's)%n", qubes);
        } else {
            socket = Path.of(socketArg);
            System.out.printf("qubesd: %s%n", socket);
        }
        try {
            QubesdClient client = new QubesdClient(socket);
            if (runQube != null) {
                commandRoundTrip(client, runQube, Math.max(runs, 50), pauseMillis);
                if (runOnly) {
                    return;
                }
            }
            int listed = serverTime(client, runs);
            System.out.printf("qubes listed: %d%n", listed);
            inProcess(client, runs);
            wholeCommand(socket, qvmTarget == null ? findQvmTarget() : qvmTarget, runs);
        } finally {
            if (synthetic != null) {
                synthetic.close();
            }
        }
    }

    /**
     * {@code true} run as root in a running qube, answer read to the exit code, one connection per call; with
     * {@code pauseMillis} > 0 the calls are spaced by that pause (the guest idles in between), else back to back.
     */
    private static void commandRoundTrip(QubesdClient client, String qube, int runs, long pauseMillis) throws Exception {
        List<Double> millis = new java.util.ArrayList<>();
        for (int i = 0; i < runs + 5; i++) {
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
            long start = System.nanoTime();
            int exit;
            try (java.io.InputStream answer = client.open(qube, "bulkhead.vm.Run", "root", "true".getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                exit = io.bulkhead.qvm.client.RunStream.copy(answer, null, null);
            }
            if (exit != 0) {
                throw new IllegalStateException("'true' exited " + exit + " in " + qube);
            }
            if (i >= 5) {
                millis.add((System.nanoTime() - start) / 1e6);
            }
        }
        java.util.Collections.sort(millis);
        String mode = pauseMillis > 0 ? "spaced by " + pauseMillis + " ms" : "back to back";
        System.out.printf(Locale.ROOT, "command round trip into running qube %s ('true', %s, n=%d): min %.2f  p50 %.2f  p90 %.2f  max %.2f ms%n",
                qube, mode, millis.size(), millis.get(0), median(millis), millis.get((int) (millis.size() * 0.9)), millis.get(millis.size() - 1));
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("bench admin: " + args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /**
     * admin.vm.List then one admin.vm.property.GetAll per qube, as qvm-ls does, from a warm client: one call at a
     * time, then with 4 calls in flight (qvm-ls prefetches that way).
     */
    private static int serverTime(QubesdClient client, int runs) throws Exception {
        List<Double> lists = new ArrayList<>();
        List<Double> sequential = new ArrayList<>();
        List<Double> concurrent = new ArrayList<>();
        List<String> names = List.of();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int run = -3; run < runs; run++) {
                long start = System.nanoTime();
                String list = new String(client.call("dom0", "admin.vm.List", "", new byte[0]), StandardCharsets.UTF_8);
                long listed = System.nanoTime();
                names = list.lines().map(line -> line.substring(0, line.indexOf(' '))).toList();
                for (String name : names) {
                    client.call(name, "admin.vm.property.GetAll", "", new byte[0]);
                }
                long end = System.nanoTime();
                List<Future<byte[]>> calls = new ArrayList<>();
                for (String name : names) {
                    calls.add(pool.submit(() -> client.call(name, "admin.vm.property.GetAll", "", new byte[0])));
                }
                for (Future<byte[]> call : calls) {
                    call.get();
                }
                long parallelEnd = System.nanoTime();
                if (run >= 0) {
                    lists.add((listed - start) / 1e6);
                    sequential.add((end - start) / 1e6);
                    concurrent.add((parallelEnd - end + listed - start) / 1e6);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        int count = names.size();
        System.out.printf(Locale.ROOT, "%-45s median %7.2f ms  min %7.2f ms%n", "server: admin.vm.List", median(lists), min(lists));
        System.out.printf(Locale.ROOT, "%-45s median %7.2f ms  min %7.2f ms  (%.3f ms per call)%n",
                "server: List + " + count + " GetAll, one at a time", median(sequential), min(sequential),
                median(sequential) / (count + 1));
        System.out.printf(Locale.ROOT, "%-45s median %7.2f ms  min %7.2f ms%n", "server: List + " + count + " GetAll, 4 in flight",
                median(concurrent), min(concurrent));
        return count;
    }

    /** qvm-ls in this JVM, warm: client-side work without JVM start. */
    private static void inProcess(QubesdClient client, int runs) {
        List<Double> times = new ArrayList<>();
        for (int run = -3; run < runs; run++) {
            OutputStream sink = new ByteArrayOutputStream();
            long start = System.nanoTime();
            int code = Tools.run("qvm-ls", new String[0], new Io(System.in, sink, sink, false), client);
            long end = System.nanoTime();
            if (code != 0) {
                throw new IllegalStateException("qvm-ls failed: " + sink);
            }
            if (run >= 0) {
                times.add((end - start) / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "%-45s median %7.2f ms  min %7.2f ms%n", "qvm-ls in this (warm) JVM:", median(times), min(times));
    }

    /** A fresh JVM per run, flags as the launcher uses them. */
    private static void wholeCommand(Path socket, Path target, int runs) throws Exception {
        Path jar;
        try (var files = Files.list(target)) {
            jar = files.filter(p -> p.getFileName().toString().matches("qvm-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no qvm jar in " + target + ": build qvm first"));
        }
        Path picocli = target.resolve("lib/picocli.jar");
        Path archive = target.resolve("qvm.jsa");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = jar + ":" + picocli;
        // the flags docs/qvm.md asks the launcher to use
        List<String> base = List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData");
        List<String> tail = List.of("-cp", classPath, "io.bulkhead.qvm.Main", "qvm-ls");
        measure("whole qvm-ls, no CDS at all (-Xshare:off):", concat(base, List.of("-Xshare:off"), tail), socket, runs);
        measure("whole qvm-ls, JDK's default CDS only:", concat(base, List.of(), tail), socket, runs);
        if (Files.exists(archive)) {
            measure("whole qvm-ls, AppCDS archive qvm.jsa:", concat(base, List.of("-XX:SharedArchiveFile=" + archive), tail), socket, runs);
        } else {
            System.out.println("whole qvm-ls, AppCDS: no archive " + archive + " (build qvm with mvn package)");
        }
        measure("JVM start alone (java -version):", concat(base, List.of(), List.of("-version")), socket, runs);
    }

    /** Wall time, and CPU time of the child (less disturbed by other load on the machine). */
    private static void measure(String label, List<String> command, Path socket, int runs) throws Exception {
        List<Double> times = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int run = -1; run < runs; run++) {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("BULKHEAD_ADMIN_SOCKET", socket.toString());
            long cpuBefore = childrenCpuMillis();
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(label + " failed: " + String.join(" ", command));
            }
            long end = System.nanoTime();
            long cpuAfter = childrenCpuMillis();
            if (run >= 0) {
                times.add((end - start) / 1e6);
                if (cpuBefore >= 0) {
                    cpu.add((double) (cpuAfter - cpuBefore));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-45s median %7.1f ms  min %7.1f ms   cpu median %5.0f ms%n", label, median(times), min(times),
                median(cpu));
    }

    /** User + system time of the children waited for so far ({@code /proc/self/stat} cutime + cstime); -1 if unknown. */
    private static long childrenCpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command name: state is field 3, cutime field 16 and cstime field 17 (1-based)
            long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    /** {@code <root>/qvm/target}, found upwards from where this bench runs. */
    private static Path findQvmTarget() throws Exception {
        Path here = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("qvm/target"))) {
                return dir.resolve("qvm/target");
            }
        }
        Path cwd = Path.of("qvm/target").toAbsolutePath();
        if (Files.isDirectory(cwd)) {
            return cwd;
        }
        throw new IllegalStateException("cannot find qvm/target; pass --qvm-target DIR");
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }
}
