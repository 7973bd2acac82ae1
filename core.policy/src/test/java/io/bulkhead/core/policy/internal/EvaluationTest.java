package io.bulkhead.core.policy.internal;

import static io.bulkhead.core.policy.internal.TestSystem.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.policy.CallRoute;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
import io.bulkhead.core.policy.PolicyDecision.Result;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.SystemView;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Evaluation semantics (reference a.4 matching, a.8): one behaviour per test. */
class EvaluationTest {
    private static final SystemView SYSTEM = TestSystem.system();

    private static PolicyDecision eval(String policy, String source, String target) {
        return policy(policy).evaluate(PolicyRequest.of("test.Svc+arg", source, target), SYSTEM);
    }

    /** Whether the rule's TARGET column matches the intended target (the redirect makes a match visible). */
    @ParameterizedTest(name = "target {0} vs intended {2} from {1}: {3}")
    @CsvSource({
        "work, untrusted, work, true", "work, untrusted, uuid:11111111-1111-1111-1111-111111111111, true",
        "uuid:11111111-1111-1111-1111-111111111111, untrusted, work, true", "work, untrusted, vault, false",
        "work, untrusted, @default, false", "work, untrusted, @dispvm, false",
        "dom0, untrusted, @adminvm, true", "@adminvm, untrusted, dom0, true",
        "uuid:00000000-0000-0000-0000-000000000000, untrusted, dom0, true", "@adminvm, untrusted, work, false",
        "@anyvm, untrusted, work, true", "@anyvm, untrusted, dom0, false", "@anyvm, untrusted, @dispvm, true",
        "@anyvm, untrusted, @default, true", "*, untrusted, dom0, true",
        "@default, untrusted, @default, true", "@default, untrusted, '', true", "@default, untrusted, no-such-qube, true",
        "@default, untrusted, work, false",
        "@type:AppVM, untrusted, work, true", "@type:TemplateVM, untrusted, work, false",
        "@type:AdminVM, untrusted, dom0, true", "@type:AdminVM, untrusted, @adminvm, false",
        "@tag:secret, untrusted, vault, true", "@tag:secret, untrusted, work, false",
        "@dispvm, untrusted, @dispvm, true", "@dispvm, untrusted, @dispvm:dvm, false",
        "@dispvm:dvm, untrusted, @dispvm:dvm, true",
        "@dispvm:dvm, untrusted, @dispvm:uuid:33333333-3333-3333-3333-333333333333, true",
        "@dispvm:uuid:33333333-3333-3333-3333-333333333333, untrusted, @dispvm:dvm, true",
        "@dispvm:dvm, work, @dispvm, true", "@dispvm:dvm, untrusted, @dispvm, false", "@dispvm:dvm, work, dvm, false",
        "@dispvm:@tag:web, work, @dispvm, true", "@dispvm:@tag:web, work, @dispvm:dvm, true",
        "@dispvm:@tag:trusted, work, @dispvm:dvm, false", "@dispvm:@tag:web, untrusted, @dispvm, false",
    })
    void targetColumn(String token, String source, String intended, boolean matches) {
        PolicyDecision d = eval("* * @anyvm " + token + " allow target=tpl", source, intended);
        assertEquals(matches ? Result.ALLOW : Result.DENY, d.result(), d::toString);
    }

    @ParameterizedTest(name = "source {0} vs caller {1}: {2}")
    @CsvSource({
        "work, work, true", "work, vault, false", "uuid:11111111-1111-1111-1111-111111111111, work, true",
        "work, uuid:11111111-1111-1111-1111-111111111111, true", "@anyvm, work, true", "*, work, true",
        "@type:AppVM, work, true", "@type:TemplateVM, work, false", "@tag:trusted, vault, true",
        "@tag:trusted, untrusted, false", "@dispvm:dvm, work, false", "@dispvm:@tag:web, work, false",
        "@adminvm, work, false", "unknown-name, work, false",
    })
    void sourceColumn(String token, String caller, boolean matches) {
        PolicyDecision d = eval("* * " + token + " @anyvm allow target=tpl", caller, "vault");
        assertEquals(matches ? Result.ALLOW : Result.DENY, d.result(), d::toString);
    }

    @Test
    void serviceAndArgumentMatching() {
        Policy p = policy("test.Svc +a @anyvm @anyvm allow target=work\ntest.Svc + @anyvm @anyvm allow target=vault\n"
                + "test.Svc * @anyvm @anyvm allow target=tpl\n* * @anyvm @anyvm allow target=dvm\n");
        assertEquals("work", p.evaluate(PolicyRequest.of("test.Svc+a", "untrusted", ""), SYSTEM).target());
        assertEquals("vault", p.evaluate(PolicyRequest.of("test.Svc", "untrusted", ""), SYSTEM).target());
        assertEquals("vault", p.evaluate(PolicyRequest.of("test.Svc+", "untrusted", ""), SYSTEM).target());
        assertEquals("tpl", p.evaluate(PolicyRequest.of("test.Svc+A", "untrusted", ""), SYSTEM).target());
        assertEquals("dvm", p.evaluate(PolicyRequest.of("test.svc+a", "untrusted", ""), SYSTEM).target());
    }

    @Test
    void firstMatchWinsAndNoMatchDeniesWithNotification() {
        PolicyDecision d = eval("* * work vault deny notify=no\n* * work vault allow\n", "work", "vault");
        assertEquals(Result.DENY, d.result());
        assertFalse(d.notifyUser());
        assertEquals("denied by policy main:1", d.reason());
        PolicyDecision none = eval("* * work vault allow\n", "untrusted", "vault");
        assertEquals(Result.DENY, none.result());
        assertTrue(none.notifyUser());
        assertNull(none.matchedRule());
        assertEquals("no matching rule found", none.reason());
    }

    @Test
    void allowResolvesKeywords() {
        assertEquals("@dispvm:dvm", eval("* * @anyvm @dispvm allow", "work", "@dispvm").target());
        assertEquals("dom0", eval("* * @anyvm @adminvm allow", "work", "@adminvm").target());
        assertEquals("uuid:11111111-1111-1111-1111-111111111111",
                eval("* * @anyvm @anyvm allow", "untrusted", "uuid:11111111-1111-1111-1111-111111111111").target());
        PolicyDecision noBase = eval("* * @anyvm @dispvm allow", "untrusted", "@dispvm");
        assertEquals(Result.DENY, noBase.result());
        assertTrue(noBase.reason().contains("no DispVM base"));
        PolicyDecision noTarget = eval("* * @anyvm @anyvm allow", "work", "");
        assertEquals(Result.DENY, noTarget.result());
        assertTrue(noTarget.reason().contains("no target is specified"));
    }

    @Test
    void redirectIsRevalidated() {
        assertEquals(Result.DENY, eval("* * @anyvm @anyvm allow target=ghost", "work", "vault").result());
        PolicyDecision notTemplate = eval("* * @anyvm @anyvm allow target=@dispvm:work", "untrusted", "vault");
        assertEquals("not a template for dispvm: work", notTemplate.reason());
        assertEquals("dom0", eval("* * @anyvm @anyvm allow target=@adminvm", "work", "vault").target());
    }

    @Test
    void autostartNoAcceptsOnlyRunningTargets() {
        String p = "* * @anyvm @dispvm allow autostart=no notify=yes\n* * @anyvm @anyvm allow autostart=no\n"
                + "* * @anyvm dom0 allow autostart=no\n";
        assertEquals(Result.ALLOW, eval(p, "untrusted", "work").result());
        PolicyDecision halted = eval(p, "work", "vault");
        assertEquals(Result.DENY, halted.result());
        assertFalse(halted.notifyUser(), "the rule's notify applies");
        PolicyDecision dispvm = eval(p, "work", "@dispvm");
        assertEquals(Result.DENY, dispvm.result());
        assertTrue(dispvm.notifyUser());
        assertEquals(Result.ALLOW, eval(p, "work", "dom0").result());
        assertEquals("autostart=False", eval(p, "untrusted", "work").daemonResponse().orElseThrow().split("\n")[4]);
    }

    @Test
    void askCollectsCandidatesBottomUpWithDenySubtraction() {
        String p = "* * work @default ask\n* * work vault deny\n* * work @tag:trusted allow\n* * work @type:TemplateVM ask\n"
                + "* * untrusted @anyvm allow\n";
        PolicyDecision d = eval(p, "work", "");
        assertEquals(Result.ASK, d.result());
        // vault removed by the earlier deny; work itself removed (no loopback); untrusted's rule ignored
        assertEquals(List.of("tpl"), d.targetsForAsk());
        assertTrue(d.daemonResponse().isEmpty());
    }

    @Test
    void askWildcardOffersQubesAndDisposablesButNotInternalOrSelf() {
        PolicyDecision d = eval("* * @anyvm @anyvm ask default_target=@dispvm", "work", "vault");
        assertEquals(List.of("@dispvm:dvm", "dvm", "relay", "remote", "tpl", "untrusted", "vault"), d.targetsForAsk());
        assertEquals("@dispvm:dvm", d.defaultTarget());
        PolicyDecision all = eval("* * @anyvm * ask default_target=@adminvm", "work", "vault");
        assertTrue(all.targetsForAsk().contains("dom0"));
        assertEquals("dom0", all.defaultTarget());
    }

    @Test
    void askWithRedirectOffersExactlyThatAndDropsForeignDefault() {
        PolicyDecision d = eval("* * @anyvm @anyvm ask target=vault default_target=work", "untrusted", "work");
        assertEquals(List.of("vault"), d.targetsForAsk());
        assertNull(d.defaultTarget());
        assertEquals(List.of("dom0"), eval("* * @anyvm @anyvm ask target=@adminvm", "work", "vault").targetsForAsk());
    }

    @Test
    void askAutostartNoFiltersCandidates() {
        PolicyDecision d = eval("* * @anyvm @anyvm ask autostart=no", "work", "vault");
        assertEquals(List.of("relay", "remote", "untrusted"), d.targetsForAsk());
        assertFalse(d.autostart());
        PolicyDecision none = eval("* * @anyvm @anyvm ask target=vault autostart=no", "work", "vault");
        assertEquals(Result.DENY, none.result());
        assertTrue(none.reason().contains("no target is available"));
    }

    @Test
    void askWithMissingDispvmTemplateInAConsideredRuleDenies() {
        PolicyDecision d = eval("* * @anyvm @anyvm ask\n* * @anyvm @dispvm:ghost allow\n", "work", "vault");
        assertEquals(Result.DENY, d.result());
        assertTrue(d.reason().contains("ghost"), d.reason());
    }

    @Test
    void answeringAnAsk() {
        Policy p = policy("* * @anyvm @anyvm ask notify=yes user=u\n");
        PolicyDecision ask = p.evaluate(PolicyRequest.of("test.Svc", "work", "vault"), SYSTEM);
        PolicyDecision yes = p.answerAsk(ask, "untrusted", SYSTEM);
        assertEquals(Result.ALLOW, yes.result());
        assertEquals("u", yes.user());
        assertTrue(yes.notifyUser());
        assertEquals("user=u\nresult=allow\ntarget=untrusted\ntarget_uuid=uuid:55555555-5555-5555-5555-555555555555\n"
                + "autostart=True\nrequested_target=vault", yes.daemonResponse().orElseThrow());
        PolicyDecision no = p.answerAsk(ask, null, SYSTEM);
        assertEquals(Result.DENY, no.result());
        assertEquals("denied by the user main:1", no.reason());
        assertTrue(no.notifyUser());
        PolicyDecision invalid = p.answerAsk(ask, "work", SYSTEM);
        assertEquals("target work is not a valid choice", invalid.reason());
        assertEquals("@dispvm:dvm", p.answerAsk(ask, "@dispvm:dvm", SYSTEM).target());
        assertThrows(IllegalArgumentException.class, () -> p.answerAsk(yes, "vault", SYSTEM));
    }

    @Test
    void answeringAskTargetDispvmResolvesTheDefaultTemplate() {
        // Qubes offers the literal @dispvm here and then fails to answer it (reference d.2)
        Policy p = policy("* * @anyvm @anyvm ask target=@dispvm\n");
        PolicyDecision ask = p.evaluate(PolicyRequest.of("test.Svc", "work", "vault"), SYSTEM);
        assertEquals(List.of("@dispvm"), ask.targetsForAsk());
        PolicyDecision yes = p.answerAsk(ask, "@dispvm", SYSTEM);
        assertEquals("@dispvm:dvm", yes.target());
        assertTrue(yes.permitsCall());
        PolicyDecision untrusted = p.answerAsk(p.evaluate(PolicyRequest.of("test.Svc", "untrusted", "vault"), SYSTEM),
                "@dispvm", SYSTEM);
        assertEquals(Result.DENY, untrusted.result());
    }

    @Test
    void routesFollowTheDaemonAnswerFormat() {
        CallRoute vm = eval("* * @anyvm @anyvm allow", "work", "vault").route().orElseThrow();
        assertEquals("uuid:" + TestSystem.VAULT_UUID, vm.targetUuid());
        assertNull(vm.service());
        PolicyDecision disp = eval("* * @anyvm @anyvm allow target=@dispvm:dvm user=x", "work", "vault");
        assertEquals("user=x\nresult=allow\ntarget=@dispvm:dvm\ntarget_uuid=@dispvm:uuid:" + TestSystem.DVM_UUID
                + "\nautostart=True\nrequested_target=vault", disp.daemonResponse().orElseThrow());
        assertEquals("user=DEFAULT\nresult=allow\ntarget=dom0\nautostart=True\nrequested_target=@adminvm",
                eval("* * @anyvm @adminvm allow", "work", "@adminvm").daemonResponse().orElseThrow());
    }

    @Test
    void remoteTargetGoesThroughItsRelay() {
        PolicyDecision d = eval("* * @anyvm @anyvm allow user=root", "work", "remote");
        assertEquals("remote", d.target());
        CallRoute route = d.route().orElseThrow();
        assertEquals("relay", route.target());
        assertNull(route.user(), "user= is ignored for a RemoteVM");
        assertEquals("qubesair.SSHProxy+remote+test.Svc+arg", route.service());
        assertEquals("user=DEFAULT\nresult=allow\ntarget=relay\ntarget_uuid=uuid:88888888-8888-8888-8888-888888888888\n"
                + "autostart=True\nrequested_target=remote\nservice=qubesair.SSHProxy+remote+test.Svc+arg",
                d.daemonResponse().orElseThrow());
    }

    @Test
    void relayedSourceIsCheckedAndReported() {
        Policy p = policy("* * remote @anyvm allow\n* * @anyvm @anyvm deny\n");
        PolicyDecision d = p.evaluate(new PolicyRequest("test.Svc", "+", "relay", "work", "remote"), SYSTEM);
        assertEquals(Result.ALLOW, d.result());
        assertEquals("remote", d.route().orElseThrow().policySource());
        assertTrue(d.daemonResponse().orElseThrow().endsWith("\npolicy_source=remote"));
        PolicyDecision notRelay = p.evaluate(new PolicyRequest("test.Svc", "+", "work", "vault", "remote"), SYSTEM);
        assertEquals(PolicyError.Kind.REQUEST, notRelay.error().kind());
        assertEquals("work is not a relay for remote", notRelay.error().message());
        PolicyDecision notRemote = p.evaluate(new PolicyRequest("test.Svc", "+", "relay", "vault", "work"), SYSTEM);
        assertEquals("work: requested source is only authorized for RemoteVM", notRemote.error().message());
        PolicyDecision unknown = p.evaluate(new PolicyRequest("test.Svc", "+", "relay", "vault", "ghost"), SYSTEM);
        assertEquals("unknown requested source qube 'ghost'", unknown.error().message());
    }

    @Test
    void loopbackIsAllowedButUndeliverable() {
        PolicyDecision d = eval("* * @anyvm @anyvm allow", "work", "work");
        assertEquals(Result.ALLOW, d.result());
        assertFalse(d.permitsCall());
        assertEquals("loopback qrexec connection not supported", d.reason());
        assertEquals("result=deny", d.daemonResponse().orElseThrow());
    }

    @Test
    void invalidIntendedTargetsAreRequestErrors() {
        for (String bad : List.of("@anyvm", "*", "@tag:x", "@type:AppVM", "@dispvm:@tag:web", "@bogus", "@dispvm:")) {
            PolicyDecision d = eval("* * @anyvm * allow", "work", bad);
            assertEquals(Result.DENY, d.result(), bad);
            assertEquals(PolicyError.Kind.REQUEST, d.error().kind(), bad);
            assertNull(d.requestedTarget());
        }
        assertEquals("not a template for dispvm: vault",
                eval("* * @anyvm * allow", "work", "@dispvm:vault").error().message());
        assertEquals("not a template for dispvm: ghost",
                eval("* * @anyvm * allow", "work", "@dispvm:ghost").error().message());
    }

    @Test
    void invalidPolicyWinsOverInvalidRequest() {
        PolicyDecision d = eval("* * @anyvm @anyvm allow\nbroken\n", "work", "@anyvm");
        assertEquals(PolicyError.Kind.PARSE, d.error().kind());
        assertEquals(2, d.error().line());
    }

    @Test
    void requestParsing() {
        PolicyRequest r = PolicyRequest.of("qubes.Filecopy+a+b", "work", "vault");
        assertEquals("qubes.Filecopy", r.service());
        assertEquals("+a+b", r.argument());
        assertEquals("+", PolicyRequest.of("qubes.Filecopy", "work", "vault").argument());
        assertThrows(IllegalArgumentException.class, () -> new PolicyRequest("s", "x", "work", "vault"));
    }
}
