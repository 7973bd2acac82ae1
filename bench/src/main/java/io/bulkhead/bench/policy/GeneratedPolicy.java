package io.bulkhead.bench.policy;

import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A reproducible policy.d of {@value #RULES} rules over {@value #SERVICES} services and a
 * 60-qube system, plus a mix of requests hitting early, late and no rules, allow, deny and ask.
 */
final class GeneratedPolicy {
    static final int RULES = 1_000;
    static final int SERVICES = 100;
    static final int FILES = 10;
    static final int APP_VMS = 48;

    private static final String[] TAGS = {"work", "personal", "vault", "untrusted"};

    final Path directory;
    final SystemView system;
    final PolicyRequest[] requests;

    private GeneratedPolicy(Path directory, SystemView system, PolicyRequest[] requests) {
        this.directory = directory;
        this.system = system;
        this.requests = requests;
    }

    static GeneratedPolicy create(int requestCount) {
        try {
            Path dir = Files.createTempDirectory("bulkhead-bench-policy.d");
            List<QubeInfo> qubes = qubes();
            writePolicy(dir, qubes);
            return new GeneratedPolicy(dir, SystemView.of(qubes), requests(requestCount, new Random(42)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete() {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String vm(int i) {
        return String.format("vm%02d", i % APP_VMS);
    }

    private static String uuid(int i) {
        return String.format("00000000-0000-4000-8000-%012d", i);
    }

    private static List<QubeInfo> qubes() {
        List<QubeInfo> qubes = new ArrayList<>();
        qubes.add(new QubeInfo("dom0", "AdminVM", Set.of(), "00000000-0000-0000-0000-000000000000", false,
                "dvm-0", "Running", false));
        for (int i = 0; i < APP_VMS; i++) {
            qubes.add(new QubeInfo(vm(i), "AppVM", Set.of(TAGS[i % TAGS.length], "group" + (i % 7)), uuid(i + 1),
                    false, "dvm-" + (i % 3), i % 2 == 0 ? "Running" : "Halted", false));
        }
        for (int i = 0; i < 4; i++) {
            qubes.add(new QubeInfo("tpl-" + i, "TemplateVM", Set.of(), uuid(100 + i), false, null, "Halted", false));
        }
        for (int i = 0; i < 3; i++) {
            qubes.add(new QubeInfo("dvm-" + i, "AppVM", Set.of("disp", TAGS[i]), uuid(200 + i), true, "dvm-0",
                    "Halted", i == 2));
        }
        for (int i = 0; i < 4; i++) {
            qubes.add(new QubeInfo("sys-" + i, "StandaloneVM", Set.of("sys"), uuid(300 + i), false, null,
                    "Running", i == 0));
        }
        return qubes;
    }

    /** Rule i of 1,000: every token form and action appears, 10 rules per service. */
    static String rule(int i) {
        String service = String.format("bench.Service%03d", i % SERVICES);
        String argument = i % 5 == 0 ? "+arg" + (i % 7) : "*";
        String source = switch (i % 5) {
            case 0 -> vm(i);
            case 1 -> "@tag:" + TAGS[i % TAGS.length];
            case 2 -> "@type:AppVM";
            case 3 -> "uuid:" + uuid(i % APP_VMS + 1);
            default -> "@anyvm";
        };
        String target;
        String action;
        switch (i % 7) {
            case 0 -> {
                target = vm(i * 3);
                action = "allow";
            }
            case 1 -> {
                target = "@tag:vault";
                action = "ask default_target=" + vm(i * 3);
            }
            case 2 -> {
                target = "@dispvm";
                action = "allow";
            }
            case 3 -> {
                target = "@dispvm:dvm-1";
                action = "allow autostart=yes notify=no";
            }
            case 4 -> {
                target = "@default";
                action = "ask target=" + vm(i * 5);
            }
            case 5 -> {
                target = "@adminvm";
                action = "deny notify=no";
            }
            default -> {
                target = "@anyvm";
                action = i % 2 == 0 ? "deny" : "allow user=user";
            }
        }
        return service + " " + argument + " " + source + " " + target + " " + action;
    }

    private static void writePolicy(Path dir, List<QubeInfo> qubes) throws IOException {
        int perFile = RULES / FILES;
        int index = 0;
        for (int f = 0; f < FILES; f++) {
            StringBuilder text = new StringBuilder("# generated benchmark policy, file " + f + "\n\n");
            int rules = f == FILES - 1 ? perFile - 3 : perFile;
            for (int r = 0; r < rules; r++) {
                text.append(rule(index++)).append('\n');
            }
            if (f == FILES - 1) {
                text.append("* * @anyvm @dispvm allow\n* * @anyvm @adminvm deny\n* * @anyvm @anyvm deny\n");
            }
            Files.writeString(dir.resolve(String.format("%02d-bench.policy", 10 + f * 5)), text.toString());
        }
    }

    private static PolicyRequest[] requests(int count, Random random) {
        String[] targets = {"@default", "@dispvm", "dom0", "@adminvm", "@dispvm:dvm-1"};
        PolicyRequest[] out = new PolicyRequest[count];
        for (int i = 0; i < count; i++) {
            int service = random.nextInt(SERVICES + 10); // some services without their own rules
            String argument = random.nextInt(3) == 0 ? "+arg" + random.nextInt(7) : "+";
            String target = random.nextInt(2) == 0 ? vm(random.nextInt(APP_VMS)) : targets[random.nextInt(targets.length)];
            out[i] = new PolicyRequest(String.format("bench.Service%03d", service), argument,
                    vm(random.nextInt(APP_VMS)), target);
        }
        return out;
    }
}
