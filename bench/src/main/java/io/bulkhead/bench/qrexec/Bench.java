package io.bulkhead.bench.qrexec;

import io.bulkhead.bench.QrexecSettings;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.internal.QrexecDaemon;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./bulkhead bench qrexec [--calls N] [--mib M]}: dom0's daemon in this JVM, one guest
 * agent as a local process (over a unix socket, the same mux as on a virtio-serial port).
 * Prints the round trip of trivial services (a socket service, and an executable, which adds a
 * process spawn) as p50/p99, and stream throughput both ways (socket services, no process in
 * the path) and through a process ({@code cat}). Goals: p50 &le; 2 ms, &ge; 500 MB/s.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = intArg(args, "--calls", 2000);
        int mib = intArg(args, "--mib", 1024);
        // the guest template's JVM flags (template/build-minimal.sh), minus the CDS archive path
        String agentOpts = stringArg(args, "--agent-opts", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss256k -Xmx32m -XX:-UsePerfData");
        Path dir = Files.createTempDirectory("bulkhead-bench-qrexec");
        Path rpc = Files.createDirectories(dir.resolve("qubes-rpc"));
        Files.createSymbolicLink(rpc.resolve("bench.True"), Path.of(Files.isExecutable(Path.of("/bin/true")) ? "/bin/true" : "/usr/bin/true"));
        socketService(rpc.resolve("bench.Noop"), Bench::noop);
        socketService(rpc.resolve("bench.Sink"), Bench::sink);
        socketService(rpc.resolve("bench.Source"), Bench::source);

        QrexecDaemon daemon = new QrexecDaemon(QrexecSettings.defaults(System.getProperty("user.name")));
        QrexecService qrexec = daemon;
        UnixSocketServer dom0 = UnixSocketServer.bind(dir.resolve("dom0.sock"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String o : agentOpts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.bulkhead.agent.internal.AgentMain",
                "--connect", dom0.path().toString(), "--rpc-dir", rpc.toString(), "--client-socket", "none",
                "--log-level", "warn", "--once"));
        Process agent = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
        qrexec.attach("bench", 1, dom0.accept());
        System.out.printf("qrexec bench: dom0 daemon in-process; agent pid %d (JVM %s) over %s%n", agent.pid(), agentOpts,
                dom0.path());

        roundTrip(qrexec, "socket service (no process)", "bench.Noop", calls);
        roundTrip(qrexec, "executable service (/bin/true, process spawn)", "bench.True", Math.max(50, calls / 4));

        long bytes = (long) mib << 20;
        throughput("dom0 -> qube (stdin to a socket service)", bytes, () -> {
            RemoteProcess p = qrexec.callService("bench", null, "bench.Sink");
            byte[] chunk = new byte[1 << 20];
            try (OutputStream in = p.stdin()) {
                for (long done = 0; done < bytes; done += chunk.length) {
                    in.write(chunk);
                }
            }
            drain(p.stdout());
            check(p.waitFor());
        });
        throughput("qube -> dom0 (stdout of a socket service)", bytes, () -> {
            RemoteProcess p = qrexec.callService("bench", null, "bench.Source+" + bytes);
            p.stdin().close();
            long n = drain(p.stdout());
            check(p.waitFor());
            if (n != bytes) {
                throw new IOException("received " + n + " of " + bytes + " bytes");
            }
        });
        long catBytes = bytes / 2;
        throughput("round trip through a process (cat)", catBytes, () -> {
            RemoteProcess p = qrexec.exec("bench", null, "cat");
            CompletableFuture<Long> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return drain(p.stdout());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] chunk = new byte[1 << 20];
            try (OutputStream in = p.stdin()) {
                for (long done = 0; done < catBytes; done += chunk.length) {
                    in.write(chunk);
                }
            }
            if (out.get(300, TimeUnit.SECONDS) != catBytes) {
                throw new IOException("cat returned a different byte count");
            }
            check(p.waitFor());
        });
        agent.destroy();
        System.exit(0);
    }

    private static void roundTrip(QrexecService qrexec, String what, String service, int calls) throws Exception {
        int warmup = Math.max(50, calls / 5);
        long[] nanos = new long[calls];
        for (int i = -warmup; i < calls; i++) {
            long t0 = System.nanoTime();
            RemoteProcess p = qrexec.callService("bench", null, service);
            p.stdin().close();
            drain(p.stdout());
            check(p.waitFor());
            long t = System.nanoTime() - t0;
            if (i >= 0) {
                nanos[i] = t;
            }
        }
        Arrays.sort(nanos);
        System.out.printf("round trip, %-45s n=%d  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms%n", what, calls,
                ms(nanos[calls / 2]), ms(nanos[calls * 9 / 10]), ms(nanos[calls * 99 / 100]), ms(nanos[calls - 1]));
    }

    private interface Run {
        void run() throws Exception;
    }

    private static void throughput(String what, long bytes, Run run) throws Exception {
        run.run(); // warm-up pass (JIT), not measured
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            run.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("throughput, %-45s %d MiB  best of 3: %.0f MB/s (%.0f MiB/s)%n", what, bytes >> 20,
                bytes / (best / 1e9) / 1e6, bytes / (best / 1e9) / (1 << 20));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void check(int status) throws IOException {
        if (status != 0) {
            throw new IOException("service exited " + status);
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        int r;
        while ((r = in.read(buf)) >= 0) {
            n += r;
        }
        return n;
    }

    // ---- socket services (served by this JVM, as a qube's socket services would be) ------------

    private interface Handler {
        void serve(UnixSocketChannel c, String descriptor) throws IOException;
    }

    private static void socketService(Path path, Handler handler) throws IOException {
        UnixSocketServer server = UnixSocketServer.bind(path);
        Thread t = new Thread(() -> {
            while (true) {
                UnixSocketChannel c;
                try {
                    c = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread w = new Thread(() -> {
                    try (c) {
                        handler.serve(c, descriptor(c.input()));
                    } catch (IOException e) {
                        // the call ended
                    }
                });
                w.setDaemon(true);
                w.start();
            }
        }, "bench-" + path.getFileName());
        t.setDaemon(true);
        t.start();
    }

    private static String descriptor(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) > 0) {
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static void noop(UnixSocketChannel c, String descriptor) {
        // closing is the whole service
    }

    private static void sink(UnixSocketChannel c, String descriptor) throws IOException {
        drain(c.input());
    }

    private static void source(UnixSocketChannel c, String descriptor) throws IOException {
        long bytes = Long.parseLong(descriptor.substring(descriptor.indexOf('+') + 1, descriptor.indexOf(' ')));
        byte[] chunk = new byte[1 << 16];
        OutputStream out = c.output();
        for (long done = 0; done < bytes; done += chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, bytes - done));
        }
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }

}
