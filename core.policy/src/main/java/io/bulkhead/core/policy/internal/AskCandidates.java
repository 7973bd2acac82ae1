package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The targets an {@code ask} without {@code target=} offers (reference a.8 step 7): every rule
 * for the same service, argument and source, walked bottom-up, allow/ask adding and deny
 * removing what its target expands to.
 */
final class AskCandidates {
    private AskCandidates() {
    }

    /** Collection cannot complete; Qubes ends such a request in a denial too. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** Sorted candidate list. {@code rules}: the rules for the request's service, in policy order. */
    static List<String> collect(RequestContext request, Rule[] rules) throws Failure {
        QubeInfo caller = request.source.info;
        if (caller == null) {
            throw new Failure("cannot offer ask candidates: unknown source qube " + request.source.raw);
        }
        SystemView system = request.system;
        Set<String> targets = new HashSet<>();
        String service = request.request.service();
        String argument = request.request.argument();
        for (int i = rules.length - 1; i >= 0; i--) {
            Rule rule = rules[i];
            if (!rule.matchesCall(service, argument, request.source)) {
                continue;
            }
            Token token = rule.action != Action.DENY && rule.redirect != null ? rule.redirect : rule.target;
            // walking bottom-up, a deny removes what later rules added and an allow/ask adds:
            // applying each expansion directly to the set is the same as Qubes' set union/difference
            expand(token, system, rule, rule.action == Action.DENY ? targets::remove : targets::add);
        }

        if (targets.remove("@dispvm") && request.callerTemplate != null) {
            targets.add("@dispvm:" + request.callerTemplate.raw);
        }
        if (targets.remove("@adminvm")) {
            targets.add("dom0");
        }
        // a qube cannot call itself (vchan limitation, qubes-issues #951)
        targets.remove(caller.name());
        if (caller.uuid() != null) {
            targets.remove("uuid:" + caller.uuid());
        }
        for (Iterator<String> it = targets.iterator(); it.hasNext();) {
            String target = it.next();
            String name = target.startsWith("@dispvm:") ? target.substring(8) : target;
            QubeInfo info = QubeRef.lookup(name, system);
            // internal qubes are never offered; a dangling name (e.g. a default_dispvm that
            // does not exist) is dropped rather than offered
            if (info == null || info.internal()) {
                it.remove();
            }
        }
        List<String> sorted = new ArrayList<>(targets);
        Collections.sort(sorted);
        return sorted;
    }

    private static void expand(Token token, SystemView system, Rule rule, Consumer<String> out) throws Failure {
        switch (token.kind) {
            case LITERAL: {
                QubeInfo info = QubeRef.lookup(token.text, system);
                if (info != null) {
                    out.accept(info.name());
                }
                break;
            }
            case ADMINVM:
                out.accept("@adminvm");
                break;
            case WILDCARD:
            case ANYVM:
                for (QubeInfo qube : system.qubes()) {
                    if (token.kind == TokenKind.WILDCARD || !Token.isDom0(qube.name())) {
                        out.accept(qube.name());
                    }
                    if (qube.templateForDispvms()) {
                        out.accept("@dispvm:" + qube.name());
                    }
                }
                out.accept("@dispvm");
                break;
            case TYPE:
                for (QubeInfo qube : system.qubes()) {
                    if (qube.type().equals(token.value)) {
                        out.accept(qube.name());
                    }
                }
                break;
            case TAG:
                for (QubeInfo qube : system.qubes()) {
                    if (qube.tags().contains(token.value)) {
                        out.accept(qube.name());
                    }
                }
                break;
            case DISPVM:
                out.accept("@dispvm");
                break;
            case DISPVM_TEMPLATE: {
                QubeInfo info = QubeRef.lookup(token.value, system);
                if (info == null) {
                    // Qubes fails here too (KeyError) and denies: a rule naming a missing
                    // disposable template spoils every ask that considers it
                    throw new Failure("disposable template " + token.value + " of rule " + rule.location
                            + " does not exist");
                }
                if (info.templateForDispvms()) {
                    out.accept("@dispvm:" + info.name());
                }
                break;
            }
            case DISPVM_TAG:
                for (QubeInfo qube : system.qubes()) {
                    if (qube.templateForDispvms() && qube.tags().contains(token.value)) {
                        out.accept("@dispvm:" + qube.name());
                    }
                }
                break;
            default: // @default offers nothing
                break;
        }
    }
}
