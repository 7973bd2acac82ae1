package io.bulkhead.bench.policy;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyLoader;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** A full reload of a 1,000-rule policy.d from disk (list, read, parse, index). Goal: under 50 ms. */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyReloadBenchmark {
    private GeneratedPolicy generated;

    @Setup
    public void setUp() {
        generated = GeneratedPolicy.create(1);
    }

    @TearDown
    public void tearDown() {
        generated.delete();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Policy reload() {
        Policy policy = PolicyLoader.load(List.of(generated.directory));
        if (policy.ruleCount() != GeneratedPolicy.RULES) {
            throw new IllegalStateException("generated policy is broken: " + policy.errors());
        }
        return policy;
    }
}
