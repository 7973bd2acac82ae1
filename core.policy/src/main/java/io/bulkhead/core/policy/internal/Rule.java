package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.RuleLocation;

/** One compiled policy rule, with the matching semantics of Qubes' tokens (reference a.4). */
final class Rule {
    /** {@code null} matches any service. */
    final String service;
    /** {@code null} matches any argument. */
    final String argument;
    final Token source;
    final Token target;
    final Action action;
    /** {@code target=}, or {@code null}. */
    final Token redirect;
    /** {@code default_target=} (ask), or {@code null}. */
    final Token defaultTarget;
    /** {@code user=}, {@code null} for the default user. */
    final String user;
    final boolean notify;
    final boolean autostart;
    final RuleLocation location;

    Rule(String service, String argument, Token source, Token target, Action action, Token redirect,
            Token defaultTarget, String user, boolean notify, boolean autostart, RuleLocation location) {
        this.service = service;
        this.argument = argument;
        this.source = source;
        this.target = target;
        this.action = action;
        this.redirect = redirect;
        this.defaultTarget = defaultTarget;
        this.user = user;
        this.notify = notify;
        this.autostart = autostart;
        this.location = location;
    }

    /** Qubes' {@code is_match_but_target}: service, argument and source. */
    boolean matchesCall(String requestService, String requestArgument, QubeRef requestSource) {
        return (service == null || service.equals(requestService))
                && (argument == null || argument.equals(requestArgument))
                && matchesSource(requestSource);
    }

    /** Qubes' {@code is_match}. */
    boolean matches(RequestContext request) {
        return matchesCall(request.request.service(), request.request.argument(), request.source)
                && matchesTarget(request);
    }

    private boolean matchesSource(QubeRef caller) {
        Token t = source;
        switch (t.kind) {
            case WILDCARD:
                return true;
            case ADMINVM:
                return caller.dom0;
            case ANYVM:
                return !caller.dom0;
            case LITERAL:
                return t.dom0 ? caller.dom0 : caller.matchesLiteral(t.value, t.uuidForm);
            case TYPE:
                return caller.info != null && t.value.equals(caller.info.type());
            case TAG:
                return caller.info != null && caller.info.tags().contains(t.value);
            default:
                // @dispvm:... sources are valid syntax but a caller is always a plain qube
                return false;
        }
    }

    boolean matchesTarget(RequestContext request) {
        Token t = target;
        switch (t.kind) {
            case WILDCARD:
                return true;
            case ADMINVM:
                return request.targetDom0;
            case ANYVM:
                return !request.targetDom0;
            case DEFAULT:
                return request.targetKind == TokenKind.DEFAULT;
            case DISPVM:
                return request.targetKind == TokenKind.DISPVM;
            case LITERAL:
                if (t.dom0) {
                    return request.targetDom0;
                }
                return request.targetKind == TokenKind.LITERAL
                        && request.targetQube.matchesLiteral(t.value, t.uuidForm);
            case TYPE:
                return request.targetKind == TokenKind.LITERAL
                        && t.value.equals(request.targetQube.info.type());
            case TAG:
                return request.targetKind == TokenKind.LITERAL
                        && request.targetQube.info.tags().contains(t.value);
            case DISPVM_TEMPLATE:
                if (request.targetKind == TokenKind.DISPVM) {
                    // Qubes compares "@dispvm:<caller's default_dispvm>" as plain text here
                    return request.callerTemplate != null && t.value.equals(request.callerTemplate.raw);
                }
                return request.targetKind == TokenKind.DISPVM_TEMPLATE
                        && request.targetQube.matchesLiteral(t.value, t.uuidForm);
            case DISPVM_TAG:
                QubeRef template = request.targetKind == TokenKind.DISPVM ? request.callerTemplate
                        : request.targetKind == TokenKind.DISPVM_TEMPLATE ? request.targetQube : null;
                if (template == null || template.info == null) {
                    return false;
                }
                QubeInfo info = template.info;
                return info.templateForDispvms() && info.tags().contains(t.value);
            default:
                return false;
        }
    }

    @Override
    public String toString() {
        return (service == null ? "*" : service) + " " + (argument == null ? "*" : argument) + " "
                + source + " " + target + " " + action.name().toLowerCase(java.util.Locale.ROOT)
                + " @" + location;
    }
}
