package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small system for unit tests, and helpers to build policies from text. */
final class TestSystem {
    static final String DOM0_UUID = "00000000-0000-0000-0000-000000000000";
    static final String WORK_UUID = "11111111-1111-1111-1111-111111111111";
    static final String VAULT_UUID = "22222222-2222-2222-2222-222222222222";
    static final String DVM_UUID = "33333333-3333-3333-3333-333333333333";

    private TestSystem() {
    }

    /**
     * dom0; work (running, tag "trusted", default_dispvm dvm); vault (halted, tags "trusted",
     * "secret"); dvm (disposable template, tag "web"); mgmt-dvm (internal template); untrusted
     * (no default_dispvm); tpl (TemplateVM); remote (RemoteVM relayed by relay); relay.
     */
    static SystemView system() {
        return SystemView.of(List.of(
                new QubeInfo("dom0", "AdminVM", Set.of(), DOM0_UUID, false, "dvm", "Running", false),
                new QubeInfo("work", "AppVM", Set.of("trusted"), WORK_UUID, false, "dvm", "Running", false),
                new QubeInfo("vault", "AppVM", Set.of("trusted", "secret"), VAULT_UUID, false, "dvm", "Halted", false),
                new QubeInfo("dvm", "AppVM", Set.of("web"), DVM_UUID, true, "dvm", "Halted", false),
                new QubeInfo("mgmt-dvm", "AppVM", Set.of("web"), "44444444-4444-4444-4444-444444444444", true,
                        null, "Halted", true),
                new QubeInfo("untrusted", "AppVM", Set.of(), "55555555-5555-5555-5555-555555555555", false,
                        null, "Running", false),
                new QubeInfo("tpl", "TemplateVM", Set.of(), "66666666-6666-6666-6666-666666666666", false,
                        "dvm", "Halted", false),
                new QubeInfo("remote", "RemoteVM", Set.of(), "77777777-7777-7777-7777-777777777777", false, null,
                        "Running", false, "relay", "qubesair.SSHProxy"),
                new QubeInfo("relay", "AppVM", Set.of(), "88888888-8888-8888-8888-888888888888", false, null,
                        "Running", false)));
    }

    /** A one-file policy named "main". */
    static Policy policy(String text) {
        return PolicyLoader.fromStrings("main", Map.of("main", text));
    }
}
