package io.bulkhead.core.policy.internal;

import java.util.Set;

/** Rule actions and the parameters each accepts (reference a.5). */
enum Action {
    ALLOW("Allow", Set.of("target", "user", "notify", "autostart")),
    DENY("Deny", Set.of("notify")),
    ASK("Ask", Set.of("target", "default_target", "user", "notify", "autostart"));

    /** Name used in Qubes' messages ("invalid parameters for action Allow"). */
    final String displayName;
    final Set<String> parameters;

    Action(String displayName, Set<String> parameters) {
        this.displayName = displayName;
        this.parameters = parameters;
    }

    static Action fromKeyword(String keyword) {
        switch (keyword) {
            case "allow":
                return ALLOW;
            case "deny":
                return DENY;
            case "ask":
                return ASK;
            default:
                return null;
        }
    }
}
