package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;

import java.util.Objects;

/**
 * A request validated and normalised as Qubes' {@code Request} does (reference a.8 steps 1-2),
 * with the qubes it names resolved once.
 */
final class RequestContext {
    final PolicyRequest request;
    final SystemView system;
    /** The source the policy is evaluated for (the requested source when relayed). */
    final QubeRef source;
    /** True when a valid requested_source replaced the caller. */
    final boolean relayed;
    /** Normalised intended target: LITERAL (existing qube), ADMINVM, DEFAULT, DISPVM or DISPVM_TEMPLATE. */
    final TokenKind targetKind;
    final String target;
    final boolean targetDom0;
    /** LITERAL: the target qube; DISPVM_TEMPLATE: the named template; else {@code null}. */
    final QubeRef targetQube;
    /** The source's default disposable template ({@code default_dispvm}), or {@code null}. */
    final QubeRef callerTemplate;

    private RequestContext(PolicyRequest request, SystemView system, QubeRef source, boolean relayed,
            TokenKind targetKind, String target, QubeRef targetQube) {
        this.request = request;
        this.system = system;
        this.source = source;
        this.relayed = relayed;
        this.targetKind = targetKind;
        this.target = target;
        this.targetDom0 = Token.isDom0(target);
        this.targetQube = targetQube;
        String template = source.info == null ? null : source.info.defaultDispvm();
        this.callerTemplate = template == null ? null : QubeRef.resolve(template, system);
    }

    static RequestContext create(PolicyRequest request, SystemView system) throws RequestException {
        String intended = request.target().isEmpty() ? "@default" : request.target();
        Token token;
        try {
            token = Token.parse(intended, Column.INTENDED);
        } catch (PolicySyntaxException e) {
            throw new RequestException(e.getMessage());
        }
        TokenKind kind = token.kind;
        QubeRef targetQube = null;
        if (kind == TokenKind.LITERAL) {
            targetQube = QubeRef.resolve(intended, system);
            if (!targetQube.exists()) {
                kind = TokenKind.DEFAULT; // an unknown name means "no target": Qubes does the same
                intended = "@default";
                targetQube = null;
            }
        } else if (kind == TokenKind.DISPVM_TEMPLATE) {
            targetQube = QubeRef.resolve(token.value, system);
            if (!targetQube.exists() || !targetQube.info.templateForDispvms()) {
                throw new RequestException("not a template for dispvm: " + token.value);
            }
        }

        QubeRef source = QubeRef.resolve(request.source(), system);
        boolean relayed = false;
        String claimed = request.requestedSource();
        if (claimed != null) {
            QubeInfo remote = QubeRef.lookup(claimed, system);
            if (remote == null) {
                throw new RequestException("unknown requested source qube '" + claimed + "'");
            }
            if (!"RemoteVM".equals(remote.type())) {
                throw new RequestException(claimed + ": requested source is only authorized for RemoteVM");
            }
            if (!Objects.equals(remote.relayVm(), request.source())) {
                throw new RequestException(request.source() + " is not a relay for " + claimed);
            }
            source = QubeRef.resolve(claimed, system);
            relayed = true;
        }
        return new RequestContext(request, system, source, relayed, kind, intended, targetQube);
    }
}
