package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.SystemView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Bad input never crashes the engine: whatever the text, loading ends with a policy whose errors
 * are all syntax errors with a file and a line, evaluation answers, and include structures of
 * any shape terminate. Tries are bounded so that the whole class runs in seconds.
 */
class PolicyFuzzTest {
    private static final SystemView SYSTEM = TestSystem.system();

    /** Words of the policy language, broken variants of them, and awkward characters. */
    private static final List<String> WORDS = List.of("*", "+", "+arg", "+a+b", "qubes.Gpg", "test.Svc", "a+b",
            "@anyvm", "@adminvm", "@default", "@dispvm", "@dispvm:", "@dispvm:dvm", "@dispvm:ghost",
            "@dispvm:uuid:33333333-3333-3333-3333-333333333333", "@dispvm:@tag:", "@dispvm:@tag:web", "@tag:",
            "@tag:trusted", "@type:AppVM", "@type:", "@x", "dom0", "uuid:", "uuid:00000000-0000-0000-0000-000000000000",
            "work", "vault", "remote", "allow", "deny", "ask", "target=", "target=work", "target=@dispvm",
            "target=@anyvm", "default_target=vault", "default_target=@dispvm", "user=root", "user=", "notify=yes",
            "notify=maybe", "autostart=no", "autostart=", "=", "==", "#", "!include", "!include-dir",
            "!include-service", "!compat-4.0", "!", "$anyvm", "$dispvm", ",", "allow,target=work", "main", "inc",
            "é", "\u00a0", "\u0000", "\u2028", "\uD83D\uDE00");

    @Provide
    Arbitrary<List<String>> lines() {
        return line().list().ofMaxSize(12);
    }

    private static Arbitrary<String> line() {
        Arbitrary<String> words = Arbitraries.of(WORDS).list().ofMinSize(0).ofMaxSize(9).map(l -> String.join(" ", l));
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(40)
                .withChars(" \t\r#!@*+=,:$/.-_azAZ09\u00a0\u0085\u3000\u0000é");
        Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(30);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, words), net.jqwik.api.Tuple.of(3, noise), net.jqwik.api.Tuple.of(1, anything));
    }

    @Provide
    Arbitrary<List<String>> validRules() {
        return validRule().list().ofMinSize(1).ofMaxSize(12);
    }

    private static Arbitrary<String> validRule() {
        Arbitrary<String> service = Arbitraries.of("*", "qubes.Gpg", "test.Svc");
        Arbitrary<String> argument = Arbitraries.of("*", "+", "+arg");
        Arbitrary<String> source = Arbitraries.of("@anyvm", "work", "@tag:trusted", "@type:AppVM", "*", "uuid:x");
        Arbitrary<String> target = Arbitraries.of("@anyvm", "vault", "@dispvm", "@dispvm:dvm", "@dispvm:@tag:web",
                "@adminvm", "dom0", "*", "@tag:secret");
        Arbitrary<String> action = Arbitraries.of("allow", "deny", "ask", "allow target=work", "ask default_target=vault",
                "deny notify=no", "allow autostart=no user=root", "ask target=@dispvm");
        return Combinators.combine(service, argument, source, target, action)
                .as((s, a, src, t, act) -> ("*".equals(s) ? "* *" : s + " " + a) + " " + src + " " + t + " " + act);
    }

    @Property(tries = 400)
    void randomLinesGiveOnlyLocatedSyntaxErrors(@ForAll("lines") List<String> lines) {
        checkSingleFile(lines);
    }

    @Property(tries = 400)
    void mutatedRulesGiveOnlyLocatedSyntaxErrors(@ForAll("validRules") List<String> rules, @ForAll long seed) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (String rule : rules) {
            lines.add(random.nextInt(3) == 0 ? rule : mutate(rule, random));
        }
        checkSingleFile(lines);
    }

    @Property(tries = 200)
    void validRulesLoadAndEvaluate(@ForAll("validRules") List<String> rules) {
        Policy policy = TestSystem.policy(String.join("\n", rules));
        assertTrue(policy.isValid(), policy.errors()::toString);
        assertEquals(rules.size(), policy.ruleCount());
        evaluateSome(policy);
    }

    /** Files including each other in arbitrary ways (cycles, self-includes, fan-out) always finish loading. */
    @Property(tries = 150)
    void includeStructuresAlwaysTerminate(@ForAll long seed) {
        Random random = new Random(seed);
        int files = 2 + random.nextInt(6);
        Map<String, String> contents = new LinkedHashMap<>();
        for (int f = 0; f < files; f++) {
            StringBuilder text = new StringBuilder();
            for (int l = random.nextInt(6); l >= 0; l--) {
                String other = "f" + random.nextInt(files);
                switch (random.nextInt(6)) {
                    case 0 -> text.append("!include ").append(other);
                    case 1 -> text.append("!include-service * * ").append(other);
                    case 2 -> text.append("!include-dir d");
                    case 3 -> text.append("$include:").append(other);
                    case 4 -> text.append("!compat-4.0");
                    default -> text.append("* * @anyvm @anyvm allow");
                }
                text.append('\n');
            }
            contents.put(f == 0 ? "f0" : "f" + f, text.toString());
            if (random.nextBoolean()) {
                contents.put("d/f" + f + ".policy", text.toString());
            }
        }
        Policy policy = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> PolicyLoader.fromStrings("f0", contents), "loading must terminate");
        for (PolicyError error : policy.errors()) {
            assertEquals(PolicyError.Kind.PARSE, error.kind());
            assertNotNull(error.file());
            assertTrue(error.line() >= 0);
        }
        evaluateSome(policy);
    }

    private static void checkSingleFile(List<String> lines) {
        Policy policy = TestSystem.policy(String.join("\n", lines));
        int lineCount = PolicyReader.lines(String.join("\n", lines)).size();
        for (PolicyError error : policy.errors()) {
            assertEquals(PolicyError.Kind.PARSE, error.kind());
            assertTrue(error.file().equals("main") || error.file().startsWith("legacy"), error::toString);
            assertTrue(error.line() >= 1 && error.line() <= lineCount, error::toString);
            assertTrue(!error.message().isBlank());
        }
        assertEquals(policy.errors().isEmpty(), policy.isValid());
        Statistics.label("policy valid").collect(policy.isValid());
        evaluateSome(policy);
    }

    private static void evaluateSome(Policy policy) {
        for (String target : List.of("vault", "@dispvm", "@default", "dom0", "@dispvm:dvm", "remote", "work")) {
            for (String source : List.of("work", "untrusted", "ghost")) {
                PolicyDecision decision = policy.evaluate(PolicyRequest.of("qubes.Gpg+arg", source, target), SYSTEM);
                assertNotNull(decision.result());
                if (!policy.isValid()) {
                    assertEquals(PolicyDecision.Result.DENY, decision.result());
                }
                if (decision.result() == PolicyDecision.Result.ASK) {
                    policy.answerAsk(decision, decision.targetsForAsk().get(0), SYSTEM);
                }
            }
        }
    }

    private static String mutate(String rule, Random random) {
        StringBuilder s = new StringBuilder(rule);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && s.length() > 0; i++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(5)) {
                case 0 -> s.deleteCharAt(at);
                case 1 -> s.insert(at, "@#=,+:* \t$!é".charAt(random.nextInt(12)));
                case 2 -> s.setCharAt(at, (char) (32 + random.nextInt(95)));
                case 3 -> s.insert(at, WORDS.get(random.nextInt(WORDS.size())));
                default -> {
                    List<String> fields = PyText.split(s.toString());
                    if (fields.size() > 1) {
                        java.util.Collections.swap(fields, random.nextInt(fields.size()), random.nextInt(fields.size()));
                        s = new StringBuilder(String.join(" ", fields));
                    }
                }
            }
        }
        return s.toString();
    }
}
