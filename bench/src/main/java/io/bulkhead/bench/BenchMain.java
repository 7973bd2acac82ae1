package io.bulkhead.bench;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Entry point of {@code ./bulkhead bench AREA [ARGS]}.
 *
 * <p>An area is a package {@code io.bulkhead.bench.AREA}. If it has a class {@code Bench} with a
 * {@code main}, that program measures and prints its own figures (wall-clock measures such as a VM
 * boot do not fit JMH); otherwise every JMH benchmark in the package runs, with ARGS passed to JMH.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: bulkhead bench AREA [ARGS]   (areas: policy, domains, qrexec, kvm, admin)");
            System.exit(2);
        }
        String area = args[0].toLowerCase(Locale.ROOT);
        if (!area.matches("[a-z][a-z0-9]*")) {
            System.err.println("bench: invalid area name: " + args[0]);
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String pkg = BenchMain.class.getPackageName() + "." + area;
        Method custom = customMain(pkg + ".Bench");
        if (custom != null) {
            custom.invoke(null, (Object) rest);
            return;
        }
        Options fromArgs = new CommandLineOptions(rest);
        Options options = new OptionsBuilder().parent(fromArgs).include("^" + pkg.replace(".", "\\.") + "\\.").build();
        if (new Runner(options).run().isEmpty()) {
            System.err.println("bench: no benchmarks in area '" + area + "'");
            System.exit(2);
        }
    }

    private static Method customMain(String className) {
        try {
            return Class.forName(className).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return null;
        }
    }
}
