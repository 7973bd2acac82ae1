package io.bulkhead.core.admin.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminPermissionHook;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.internal.DomainsServiceImpl;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyService;

/** A real qube model in a temporary data directory and a dispatcher over it. */
final class AdminFixture {
    final DomainsService domains;
    final List<AdminPermissionHook> hooks = new CopyOnWriteArrayList<>();
    final Map<String, AdminMethod> contributed = new java.util.concurrent.ConcurrentHashMap<>();
    final AdminDispatcher dispatcher;

    final Path policyDir;

    AdminFixture(Path dataDir) {
        domains = new DomainsServiceImpl(dataDir, "qubes.xml", "kvm", "qemu-img", (message, error) -> { });
        policyDir = dataDir.resolve("policy.d");
        try {
            java.nio.file.Files.createDirectories(policyDir.resolve("include"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        dispatcher = new AdminDispatcher(domains, new DirectoryPolicy(policyDir), () -> hooks, name -> Optional.ofNullable(contributed.get(name)));
    }

    String call(String method, String argument, String destination, String payload) {
        return dispatcher.call(request(method, argument, destination, payload));
    }

    /** The policy service over one directory, as the core.policy component provides it. */
    private record DirectoryPolicy(Path directory) implements PolicyService {
        @Override
        public Policy policy() {
            return PolicyLoader.load(List.of(directory));
        }

        @Override
        public PolicyAdmin admin() {
            return PolicyAdmin.forDirectory(directory, null);
        }

        @Override
        public Policy reload() {
            return policy();
        }

        @Override
        public List<Path> policyDirectories() {
            return List.of(directory);
        }
    }

    static AdminRequest request(String method, String argument, String destination, String payload) {
        return new AdminRequest(method, argument, "dom0", destination, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
