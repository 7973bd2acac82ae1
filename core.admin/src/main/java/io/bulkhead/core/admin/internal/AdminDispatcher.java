package io.bulkhead.core.admin.internal;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.core.admin.AdminMethod;
import io.bulkhead.core.admin.AdminPermissionHook;
import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;
import io.bulkhead.core.admin.internal.methods.FeatureTagMethods;
import io.bulkhead.core.admin.internal.methods.LabelVolumeMethods;
import io.bulkhead.core.admin.internal.methods.MethodSpec;
import io.bulkhead.core.admin.internal.methods.MethodSpec.Destination;
import io.bulkhead.core.admin.internal.methods.MethodSpec.Rule;
import io.bulkhead.core.admin.internal.methods.MethodTable;
import io.bulkhead.core.admin.internal.methods.PolicyMethods;
import io.bulkhead.core.admin.internal.methods.PropertyMethods;
import io.bulkhead.core.admin.internal.methods.QubeMethods;
import io.bulkhead.core.admin.internal.wire.ResponseEncoder;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.policy.PolicyService;

/** Validates a call in qubesd's order and routes it to a built-in or contributed method. */
public final class AdminDispatcher implements AdminApi {
    /** The streaming method; its shape is checked here, its stream served by the connection. */
    public static final String EVENTS = "admin.Events";

    private final DomainsService domains;
    private final MethodTable builtins = new MethodTable();
    private final Supplier<Collection<AdminPermissionHook>> hooks;
    private final Function<String, Optional<AdminMethod>> contributed;

    /**
     * @param domains     the model
     * @param policy      the qrexec policy, for the {@code policy.*} methods
     * @param hooks       the permission hooks registered now
     * @param contributed methods registered by other bundles, by name
     */
    public AdminDispatcher(DomainsService domains, PolicyService policy, Supplier<Collection<AdminPermissionHook>> hooks,
            Function<String, Optional<AdminMethod>> contributed) {
        this.domains = domains;
        this.hooks = hooks;
        this.contributed = contributed;
        new QubeMethods(domains, this::visibleToCaller).register(builtins);
        new PropertyMethods(domains).register(builtins);
        new FeatureTagMethods(domains).register(builtins);
        new LabelVolumeMethods(domains).register(builtins);
        new PolicyMethods(policy).register(builtins);
        builtins.add(EVENTS, Rule.NONE, Rule.NONE, Destination.ANY, AdminDispatcher::socketOnly);
        builtins.add(VolumeImportStream.IMPORT, Rule.REQUIRED, Rule.NONE, Destination.QUBE, VolumeImportStream::socketRefusal);
        builtins.add(VolumeImportStream.IMPORT_WITH_SIZE, Rule.REQUIRED, Rule.NONE, Destination.QUBE, VolumeImportStream::socketRefusal);
        builtins.add(CommandStream.RUN, Rule.OPTIONAL, Rule.REQUIRED, Destination.QUBE, AdminDispatcher::socketOnly);
        builtins.add(CommandStream.RUN_SERVICE, Rule.OPTIONAL, Rule.REQUIRED, Destination.QUBE, AdminDispatcher::socketOnly);
        builtins.add(CommandStream.RUN_WITH_INPUT, Rule.OPTIONAL, Rule.REQUIRED, Destination.QUBE, AdminDispatcher::socketOnly);
        builtins.add(CommandStream.RUN_SERVICE_WITH_INPUT, Rule.OPTIONAL, Rule.REQUIRED, Destination.QUBE, AdminDispatcher::socketOnly);
    }

    private static String socketOnly(AdminRequest request) {
        throw new ProtocolError(request.method() + " is a streaming method, served on the qubesd socket only");
    }

    @Override
    public String call(AdminRequest request) {
        return authorize(request).handler().call(request);
    }

    /** Every check before performing: returns the method to run. */
    public MethodSpec authorize(AdminRequest request) {
        domains.get(request.source());
        domains.get(request.destination());
        MethodSpec spec = builtins.find(request.method())
                .or(() -> contributed.apply(request.method())
                        .map(m -> new MethodSpec(request.method(), Rule.OPTIONAL, Rule.OPTIONAL, Destination.ANY, m)))
                .orElseThrow(() -> new ProtocolError("no such method: " + request.method()));
        spec.checkShape(request);
        for (AdminPermissionHook hook : hooks.get()) {
            hook.check(request);
        }
        return spec;
    }

    /**
     * Performs a call and encodes qubesd's answer: {@code 0\0value}, or {@code 2\0Type\0\0message\0}.
     *
     * @throws RuntimeException for unexpected failures, which qubesd answers with no bytes at all
     */
    public byte[] respond(AdminRequest request) {
        try {
            return ResponseEncoder.success(call(request));
        } catch (QubesException e) {
            return ResponseEncoder.error(e.qubesClass(), e.getMessage());
        }
    }

    /** @return the names of every built-in method */
    public Iterable<String> builtinMethodNames() {
        return builtins.names();
    }

    /** Whether every permission hook lets the caller of a listing request see {@code qube}. */
    public boolean visibleToCaller(AdminRequest request, String qube) {
        for (AdminPermissionHook hook : hooks.get()) {
            if (!hook.mayList(request, qube)) {
                return false;
            }
        }
        return true;
    }
}
