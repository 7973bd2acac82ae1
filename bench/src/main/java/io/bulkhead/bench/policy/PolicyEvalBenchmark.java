package io.bulkhead.bench.policy;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Evaluation of mixed requests against a loaded 1,000-rule policy on one thread. Goals: p99
 * under 20 µs (SampleTime) and at least 200,000 evaluations/s (Throughput).
 */
@State(Scope.Thread)
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyEvalBenchmark {
    private GeneratedPolicy generated;
    private Policy policy;
    private int next;

    @Setup
    public void setUp() {
        generated = GeneratedPolicy.create(4096);
        policy = PolicyLoader.load(List.of(generated.directory));
        if (!policy.isValid() || policy.ruleCount() != GeneratedPolicy.RULES) {
            throw new IllegalStateException("generated policy is broken: " + policy.errors());
        }
    }

    @TearDown
    public void tearDown() {
        generated.delete();
    }

    private PolicyDecision evaluateNext() {
        PolicyDecision decision = policy.evaluate(generated.requests[next], generated.system);
        next = (next + 1) & (generated.requests.length - 1);
        return decision;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public PolicyDecision evaluateLatency() {
        return evaluateNext();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public PolicyDecision evaluateThroughput() {
        return evaluateNext();
    }
}
