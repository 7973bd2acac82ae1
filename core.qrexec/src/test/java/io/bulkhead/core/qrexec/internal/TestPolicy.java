package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyService;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A policy service over a fixed text, evaluated by the real engine. */
final class TestPolicy implements PolicyService {
    private final Policy policy;

    TestPolicy(String text) {
        policy = PolicyLoader.fromStrings("test.policy", Map.of("test.policy", text));
        if (!policy.isValid()) {
            throw new IllegalArgumentException(policy.errors().toString());
        }
    }

    @Override
    public Policy policy() {
        return policy;
    }

    @Override
    public PolicyAdmin admin() {
        throw new UnsupportedOperationException("not in tests");
    }

    @Override
    public Policy reload() {
        return policy;
    }

    @Override
    public List<Path> policyDirectories() {
        return List.of();
    }
}
