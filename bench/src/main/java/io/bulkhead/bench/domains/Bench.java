package io.bulkhead.bench.domains;

import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.internal.DomainsServiceImpl;
import io.bulkhead.core.domains.internal.model.ModelEnv;
import io.bulkhead.core.domains.internal.model.ModelState;
import io.bulkhead.core.domains.internal.store.StoreFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./bulkhead bench domains [QUBES] [ROUNDS]}: builds a store of QUBES qubes (default 500:
 * templates, net qubes, AppVMs with features and tags), then measures loading it (parse + validate
 * + open) and saving it (one mutating call = full atomic write with fsync), and prints the figures.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        int qubes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = Files.createTempDirectory("bulkhead-bench-domains");
        try {
            run(dir, qubes, rounds);
        } finally {
            deleteTree(dir);
        }
    }

    private static void run(Path dir, int qubes, int rounds) throws IOException {
        long t0 = System.nanoTime();
        try (DomainsServiceImpl s = open(dir)) {
            s.create(QubeClass.TEMPLATE_VM, "fedora", "black", Map.of());
            s.create(QubeClass.TEMPLATE_VM, "debian", "gray", Map.of());
            s.setGlobalProperty("default_template", "fedora");
            s.create(QubeClass.APP_VM, "sys-net", "red", Map.of("provides_network", "True", "netvm", ""));
            s.create(QubeClass.APP_VM, "sys-firewall", "green", Map.of("provides_network", "True", "netvm", "sys-net"));
            s.setGlobalProperty("default_netvm", "sys-firewall");
            for (int i = s.list().size(); i < qubes; i++) {
                String name = "qube" + i;
                s.create(QubeClass.APP_VM, name, i % 2 == 0 ? "blue" : "purple",
                        Map.of("template", i % 3 == 0 ? "debian" : "fedora", "memory", Integer.toString(400 + i)));
                s.setFeature(name, "service.cups", i % 2 == 0 ? "1" : "");
                s.addTag(name, "created-by-dom0");
            }
        }
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        Path store = dir.resolve("qubes.xml");
        System.out.printf(Locale.ROOT, "store: %d qubes, %,d bytes, built in %.1f s (%d persisted creations and edits)%n",
                qubes, Files.size(store), buildSeconds, 3 * qubes);

        List<Double> loads = new ArrayList<>();
        List<Double> saves = new ArrayList<>();
        for (int warm = 0; warm < 5; warm++) {
            try (DomainsServiceImpl s = open(dir)) {
                s.setProperty("qube10", "vcpus", Integer.toString(1 + warm));
            }
        }
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            DomainsServiceImpl s = open(dir);
            loads.add((System.nanoTime() - start) / 1e6);
            try {
                if (s.list().size() != qubes) {
                    throw new IllegalStateException("store holds " + s.list().size() + " qubes, expected " + qubes);
                }
                for (int k = 0; k < 3; k++) {
                    long t = System.nanoTime();
                    s.setProperty("qube" + (10 + r), "memory", Integer.toString(1000 + k));
                    saves.add((System.nanoTime() - t) / 1e6);
                }
            } finally {
                s.close();
            }
        }
        print("load (open + parse + validate)", loads);
        print("save (mutation + atomic fsync'd write)", saves);
        codecOnly(dir, rounds);
    }

    /** The same store through the XML codec alone, to separate CPU cost from fsync latency. */
    private static void codecOnly(Path dir, int rounds) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("codec"));
        byte[] bytes = Files.readAllBytes(dir.resolve("qubes.xml"));
        List<Double> decode = new ArrayList<>();
        List<Double> encode = new ArrayList<>();
        try (StoreFile file = new StoreFile(copy.resolve("qubes.xml"))) {
            ModelEnv env = new NoEnv();
            for (int r = 0; r < rounds * 3; r++) {
                long t = System.nanoTime();
                ModelState state = file.decode(bytes, env);
                decode.add((System.nanoTime() - t) / 1e6);
                t = System.nanoTime();
                file.encode(state);
                encode.add((System.nanoTime() - t) / 1e6);
            }
        }
        print("parse + validate only (no I/O)", decode);
        print("serialise only (no I/O)", encode);
    }

    /** Defaults are not computed while decoding; nothing here is consulted. */
    private static final class NoEnv implements ModelEnv {
        @Override
        public io.bulkhead.core.domains.PowerState powerState(String qube) {
            return io.bulkhead.core.domains.PowerState.HALTED;
        }

        @Override
        public boolean memoryBalancingPossible() {
            return false;
        }

        @Override
        public long hostMemoryMiB() {
            return 4096;
        }

        @Override
        public int hostCpus() {
            return 2;
        }

        @Override
        public Path kernelsDir() {
            return null;
        }
    }

    private static DomainsServiceImpl open(Path dir) {
        return new DomainsServiceImpl(dir, "qubes.xml", "kvm", "qemu-img", (m, e) -> { });
    }

    private static void print(String what, List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "%-40s median %7.2f ms   p90 %7.2f ms   min %7.2f ms   (n=%d)%n", what,
                sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.9)), sorted.get(0), sorted.size());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
