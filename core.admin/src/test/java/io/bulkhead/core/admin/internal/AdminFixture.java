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

/** A real qube model in a temporary data directory and a dispatcher over it. */
final class AdminFixture {
    final DomainsService domains;
    final List<AdminPermissionHook> hooks = new CopyOnWriteArrayList<>();
    final Map<String, AdminMethod> contributed = new java.util.concurrent.ConcurrentHashMap<>();
    final AdminDispatcher dispatcher;

    AdminFixture(Path dataDir) {
        domains = new DomainsServiceImpl(dataDir, "qubes.xml", "kvm", "qemu-img", (message, error) -> { });
        dispatcher = new AdminDispatcher(domains, () -> hooks, name -> Optional.ofNullable(contributed.get(name)));
    }

    String call(String method, String argument, String destination, String payload) {
        return dispatcher.call(request(method, argument, destination, payload));
    }

    static AdminRequest request(String method, String argument, String destination, String payload) {
        return new AdminRequest(method, argument, "dom0", destination, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
