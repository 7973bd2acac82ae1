package io.bulkhead.core.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of evaluating one {@link PolicyRequest}: allow, ask or deny, with what the qrexec
 * router needs to act on it and what a policy author needs to understand it.
 *
 * <p>Instances are immutable; build them with {@link #builder(Result, PolicyRequest)}.
 */
public final class PolicyDecision {

    /** The three policy actions. */
    public enum Result {
        ALLOW, ASK, DENY;

        /** Lower-case name as used in policy files and JSON output. */
        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Result result;
    private final PolicyRequest request;
    private final String requestedTarget;
    private final String target;
    private final List<String> targetsForAsk;
    private final String defaultTarget;
    private final String user;
    private final boolean notify;
    private final boolean autostart;
    private final RuleLocation matchedRule;
    private final String reason;
    private final PolicyError error;
    private final CallRoute route;

    private PolicyDecision(Builder b) {
        this.result = b.result;
        this.request = b.request;
        this.requestedTarget = b.requestedTarget;
        this.target = b.target;
        this.targetsForAsk = b.targetsForAsk == null ? List.of() : List.copyOf(b.targetsForAsk);
        this.defaultTarget = b.defaultTarget;
        this.user = b.user;
        this.notify = b.notify;
        this.autostart = b.autostart;
        this.matchedRule = b.matchedRule;
        this.reason = b.reason;
        this.error = b.error;
        this.route = b.route;
        if (result == Result.ALLOW && target == null) {
            throw new IllegalArgumentException("an allow decision needs a target");
        }
        if (result == Result.ASK && targetsForAsk.isEmpty()) {
            throw new IllegalArgumentException("an ask decision needs candidate targets");
        }
        if (result != Result.ALLOW && route != null) {
            throw new IllegalArgumentException("only an allow decision has a call route");
        }
    }

    public static Builder builder(Result result, PolicyRequest request) {
        return new Builder(result, request);
    }

    public Result result() {
        return result;
    }

    public PolicyRequest request() {
        return request;
    }

    /** The intended target after normalisation ({@code @default} for unknown names); {@code null} on errors. */
    public String requestedTarget() {
        return requestedTarget;
    }

    /** Allow: the resolved target ({@code dom0}, {@code @dispvm:T}, a name or {@code uuid:U}). */
    public String target() {
        return target;
    }

    /** Ask: the candidates to offer, sorted; empty otherwise. */
    public List<String> targetsForAsk() {
        return targetsForAsk;
    }

    /** Ask: the preselected candidate, or {@code null}. */
    public String defaultTarget() {
        return defaultTarget;
    }

    /** Allow/ask: the {@code user=} of the rule, {@code null} for the default user. */
    public String user() {
        return user;
    }

    /** Allow/ask: notify about the call; deny: notify about the denial. */
    public boolean notifyUser() {
        return notify;
    }

    /** Allow/ask: the rule's {@code autostart=} (default true). */
    public boolean autostart() {
        return autostart;
    }

    /** The first rule that matched, or {@code null} if none did. */
    public RuleLocation matchedRule() {
        return matchedRule;
    }

    /** Why the call was denied (Qubes' wording), or why an allow cannot be delivered; else {@code null}. */
    public String reason() {
        return reason;
    }

    /** Set when the policy is invalid or the request was rejected; the result is then deny. */
    public PolicyError error() {
        return error;
    }

    /** Allow: how to connect the call; empty if the allowed call cannot be delivered (see {@link #reason()}). */
    public Optional<CallRoute> route() {
        return Optional.ofNullable(route);
    }

    /** True if the call may proceed now: allowed and deliverable. */
    public boolean permitsCall() {
        return route != null;
    }

    /**
     * The Qubes policy daemon's answer: the allow lines, or {@code result=deny}. Empty for ask,
     * whose answer depends on the user (see {@link Policy#answerAsk}).
     */
    public Optional<String> daemonResponse() {
        if (result == Result.ASK) {
            return Optional.empty();
        }
        return Optional.of(route != null ? route.toResponse() : "result=deny");
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("PolicyDecision[").append(result.keyword());
        if (target != null) {
            out.append(" target=").append(target);
        }
        if (!targetsForAsk.isEmpty()) {
            out.append(" targets=").append(targetsForAsk);
        }
        if (matchedRule != null) {
            out.append(" rule=").append(matchedRule);
        }
        if (reason != null) {
            out.append(" reason=").append(reason);
        }
        if (error != null) {
            out.append(" error=").append(error);
        }
        return out.append(']').toString();
    }

    /** Assembles a {@link PolicyDecision}; defaults: notify false, autostart true. */
    public static final class Builder {
        private final Result result;
        private final PolicyRequest request;
        private String requestedTarget;
        private String target;
        private List<String> targetsForAsk;
        private String defaultTarget;
        private String user;
        private boolean notify;
        private boolean autostart = true;
        private RuleLocation matchedRule;
        private String reason;
        private PolicyError error;
        private CallRoute route;

        private Builder(Result result, PolicyRequest request) {
            this.result = Objects.requireNonNull(result, "result");
            this.request = Objects.requireNonNull(request, "request");
        }

        public Builder requestedTarget(String value) {
            this.requestedTarget = value;
            return this;
        }

        public Builder target(String value) {
            this.target = value;
            return this;
        }

        public Builder targetsForAsk(List<String> value) {
            this.targetsForAsk = value;
            return this;
        }

        public Builder defaultTarget(String value) {
            this.defaultTarget = value;
            return this;
        }

        public Builder user(String value) {
            this.user = value;
            return this;
        }

        public Builder notifyUser(boolean value) {
            this.notify = value;
            return this;
        }

        public Builder autostart(boolean value) {
            this.autostart = value;
            return this;
        }

        public Builder matchedRule(RuleLocation value) {
            this.matchedRule = value;
            return this;
        }

        public Builder reason(String value) {
            this.reason = value;
            return this;
        }

        public Builder error(PolicyError value) {
            this.error = value;
            return this;
        }

        public Builder route(CallRoute value) {
            this.route = value;
            return this;
        }

        public PolicyDecision build() {
            return new PolicyDecision(this);
        }
    }
}
