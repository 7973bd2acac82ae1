package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
import io.bulkhead.core.policy.PolicyDecision.Result;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.RuleLocation;
import io.bulkhead.core.policy.SystemView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable policy: the ordered rules, indexed by service so that a request only scans the
 * rules for its own service and the {@code *} ones (in policy order), and the evaluation of
 * reference a.8. A policy with load errors denies everything.
 */
final class CompiledPolicy implements Policy {
    private static final Rule[] NO_RULES = new Rule[0];

    private final List<Rule> rules;
    private final List<PolicyError> errors;
    /** Per literal service: its rules and the any-service rules, in policy order. */
    private final Map<String, Rule[]> byService;
    /** Rules for any service, for services no rule names. */
    private final Rule[] anyService;

    CompiledPolicy(List<Rule> rules, List<PolicyError> errors) {
        this.errors = List.copyOf(errors);
        this.rules = this.errors.isEmpty() ? List.copyOf(rules) : List.of();
        Map<String, List<Rule>> lists = new HashMap<>();
        List<Rule> any = new ArrayList<>();
        for (Rule rule : this.rules) {
            if (rule.service == null) {
                any.add(rule);
                for (List<Rule> list : lists.values()) {
                    list.add(rule);
                }
            } else {
                lists.computeIfAbsent(rule.service, s -> new ArrayList<>(any)).add(rule);
            }
        }
        Map<String, Rule[]> index = new HashMap<>(lists.size() * 2);
        lists.forEach((service, list) -> index.put(service, list.toArray(NO_RULES)));
        this.byService = index;
        this.anyService = any.toArray(NO_RULES);
    }

    @Override
    public boolean isValid() {
        return errors.isEmpty();
    }

    @Override
    public List<PolicyError> errors() {
        return errors;
    }

    @Override
    public int ruleCount() {
        return rules.size();
    }

    /** Where each rule that may apply to {@code service} was written, in policy order. */
    List<RuleLocation> ruleLocationsFor(String service) {
        List<RuleLocation> out = new ArrayList<>();
        for (Rule rule : rulesFor(service)) {
            out.add(rule.location);
        }
        return out;
    }

    private Rule[] rulesFor(String service) {
        Rule[] list = byService.get(service);
        return list != null ? list : anyService;
    }

    @Override
    public PolicyDecision evaluate(PolicyRequest request, SystemView system) {
        if (!errors.isEmpty()) {
            PolicyError first = errors.get(0);
            return PolicyDecision.builder(Result.DENY, request).notifyUser(true).error(first)
                    .reason("policy is invalid: " + first).build();
        }
        RequestContext context;
        try {
            context = RequestContext.create(request, system);
        } catch (RequestException e) {
            return requestError(request, e.getMessage());
        }
        Rule[] candidates = rulesFor(request.service());
        for (Rule rule : candidates) {
            if (rule.matches(context)) {
                switch (rule.action) {
                    case ALLOW:
                        return allow(context, rule);
                    case ASK:
                        return ask(context, rule, candidates);
                    default:
                        return deny(context, rule.location, rule.notify, "denied by policy " + rule.location);
                }
            }
        }
        return deny(context, null, true, "no matching rule found");
    }

    private PolicyDecision allow(RequestContext request, Rule rule) {
        String target = request.target;
        TokenKind kind = request.targetKind;
        if (rule.redirect != null) {
            target = rule.redirect.text;
            kind = rule.redirect.kind;
            if (kind == TokenKind.LITERAL && QubeRef.lookup(target, request.system) == null) {
                target = "@default"; // redirect to an unknown qube: no target
                kind = TokenKind.DEFAULT;
            } else if (kind == TokenKind.DISPVM_TEMPLATE && !isDispvmTemplate(rule.redirect.value, request.system)) {
                return deny(request, rule.location, true, "not a template for dispvm: " + rule.redirect.value);
            }
        }
        if (kind == TokenKind.DEFAULT) {
            return deny(request, rule.location, true, "policy define 'allow' action at " + rule.location
                    + " but no target is specified by caller or policy");
        }
        if (kind == TokenKind.DISPVM) {
            if (request.callerTemplate == null) {
                return deny(request, rule.location, true, "policy define 'allow' action to @dispvm at "
                        + rule.location + " but no DispVM base is set for this VM");
            }
            target = "@dispvm:" + request.callerTemplate.raw;
        } else if (kind == TokenKind.ADMINVM) {
            target = "dom0";
        }
        if (!rule.autostart && !startableWithoutAutostart(target, request.system)) {
            return deny(request, rule.location, rule.notify,
                    "target " + target + " is denied because it would require autostart");
        }
        return allowed(request, rule.location, target, rule.user, rule.notify, rule.autostart);
    }

    private PolicyDecision ask(RequestContext request, Rule rule, Rule[] candidates) {
        List<String> targets;
        if (rule.redirect != null) {
            // as Qubes: the redirect is offered as written (a lone @dispvm stays unresolved here)
            targets = new ArrayList<>(List.of(rule.redirect.dom0 ? "dom0" : rule.redirect.text));
        } else {
            try {
                targets = AskCandidates.collect(request, candidates);
            } catch (AskCandidates.Failure e) {
                return deny(request, rule.location, true, e.getMessage());
            }
        }
        if (!rule.autostart) {
            targets.removeIf(t -> !startableWithoutAutostart(t, request.system));
        }
        if (targets.isEmpty()) {
            return deny(request, rule.location, true, "policy define 'ask' action at " + rule.location
                    + " but no target is available to choose from");
        }
        String preselected = null;
        if (rule.defaultTarget != null) {
            Token d = rule.defaultTarget;
            if (d.kind == TokenKind.DISPVM) {
                preselected = request.callerTemplate == null ? null : "@dispvm:" + request.callerTemplate.raw;
            } else {
                preselected = d.dom0 ? "dom0" : d.text;
            }
            if (!targets.contains(preselected)) {
                preselected = null; // Qubes only warns: a default outside the list is dropped
            }
        }
        return PolicyDecision.builder(Result.ASK, request.request).requestedTarget(request.target)
                .targetsForAsk(targets).defaultTarget(preselected).user(rule.user).notifyUser(rule.notify)
                .autostart(rule.autostart).matchedRule(rule.location).build();
    }

    @Override
    public PolicyDecision answerAsk(PolicyDecision ask, String chosenTarget, SystemView system) {
        if (ask.result() != Result.ASK) {
            throw new IllegalArgumentException("not an ask decision: " + ask);
        }
        RequestContext request;
        try {
            request = RequestContext.create(ask.request(), system);
        } catch (RequestException e) {
            return requestError(ask.request(), e.getMessage());
        }
        RuleLocation rule = ask.matchedRule();
        if (chosenTarget == null) {
            return deny(request, rule, ask.notifyUser(), "denied by the user " + rule);
        }
        if (!ask.targetsForAsk().contains(chosenTarget)) {
            return deny(request, rule, true, "target " + chosenTarget + " is not a valid choice");
        }
        String target = chosenTarget;
        if (target.equals("@dispvm")) {
            // only `ask target=@dispvm` offers this; Qubes fails to answer it, we resolve it
            // the way allow does
            if (request.callerTemplate == null) {
                return deny(request, rule, true, "no DispVM base is set for " + request.source.raw);
            }
            target = "@dispvm:" + request.callerTemplate.raw;
        }
        return allowed(request, rule, target, ask.user(), ask.notifyUser(), ask.autostart());
    }

    private PolicyDecision allowed(RequestContext request, RuleLocation rule, String target, String user,
            boolean notify, boolean autostart) {
        PolicyDecision.Builder decision = PolicyDecision.builder(Result.ALLOW, request.request)
                .requestedTarget(request.target).target(target).user(user).notifyUser(notify)
                .autostart(autostart).matchedRule(rule);
        try {
            decision.route(Routes.route(request, target, user, autostart));
        } catch (Routes.Undeliverable e) {
            decision.reason(e.getMessage());
        }
        return decision.build();
    }

    private static PolicyDecision deny(RequestContext request, RuleLocation rule, boolean notify, String reason) {
        return PolicyDecision.builder(Result.DENY, request.request).requestedTarget(request.target)
                .matchedRule(rule).notifyUser(notify).reason(reason).build();
    }

    private static PolicyDecision requestError(PolicyRequest request, String message) {
        PolicyError error = new PolicyError(PolicyError.Kind.REQUEST, null, 0, message);
        return PolicyDecision.builder(Result.DENY, request).notifyUser(true).error(error)
                .reason("invalid request: " + message).build();
    }

    private static boolean isDispvmTemplate(String key, SystemView system) {
        QubeInfo info = QubeRef.lookup(key, system);
        return info != null && info.templateForDispvms();
    }

    /** With {@code autostart=no} only dom0 and running qubes qualify; never a new disposable. */
    private static boolean startableWithoutAutostart(String target, SystemView system) {
        if (Token.isDom0(target)) {
            return true;
        }
        if (target.startsWith("@dispvm")) {
            return false;
        }
        QubeInfo info = QubeRef.lookup(target, system);
        return info != null && info.isRunning();
    }
}
