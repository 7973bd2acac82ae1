package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
import io.bulkhead.core.policy.PolicyDecision.Result;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of the Qubes conformance vectors ({@code policy.json}, derived from Qubes' own
 * tests at the commit named in its {@code source}) as one dynamic test.
 */
class ConformanceTest {

    /**
     * Cases marked {@code quirk} may be checked against {@code expect} (Qubes' behaviour) or
     * {@code strict_expect} (the stricter answer). The current vectors mark none; a new quirk
     * case fails until its choice is recorded here (id -> "expect" | "strict_expect").
     */
    private static final Map<String, String> QUIRK_CHOICES = Map.of();

    @TempDir
    Path temp;

    @TestFactory
    Stream<DynamicTest> policyJson() throws IOException {
        JsonNode root;
        try (InputStream in = ConformanceTest.class.getResourceAsStream("/policy.json")) {
            assertNotNull(in, "policy.json must be in the test resources");
            root = new ObjectMapper().readTree(in);
        }
        assertEquals("qrexec-policy-conformance/1", root.get("format").asText());
        Map<String, SystemView> systems = new LinkedHashMap<>();
        root.get("systems").fields().forEachRemaining(e -> systems.put(e.getKey(), systemOf(e.getValue())));
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode c : root.get("cases")) {
            String id = c.get("id").asText();
            assertTrue(ids.add(id), "duplicate case id " + id);
            tests.add(DynamicTest.dynamicTest(id, () -> runCase(c, systems.get(c.get("system").asText()))));
        }
        assertEquals(100, tests.size(), "the vector file has 100 cases");
        return tests.stream();
    }

    /** A {@code systems} entry of the vectors as a system view. */
    static SystemView systemOf(JsonNode system) {
        List<QubeInfo> qubes = new ArrayList<>();
        for (JsonNode d : system.get("domains")) {
            Set<String> tags = new HashSet<>();
            d.path("tags").forEach(t -> tags.add(t.asText()));
            qubes.add(new QubeInfo(d.get("name").asText(), d.path("type").asText(""), tags,
                    text(d, "uuid"), d.path("template_for_dispvms").asBoolean(false), text(d, "default_dispvm"),
                    text(d, "power_state"), d.path("internal").asBoolean(false), text(d, "relayvm"),
                    text(d, "transport_rpc")));
        }
        return SystemView.of(qubes);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private void runCase(JsonNode c, SystemView system) throws IOException {
        assertNotNull(system, "unknown system");
        JsonNode expect = c.get("expect");
        if (c.path("quirk").asBoolean(false) || c.has("strict_expect")) {
            String choice = QUIRK_CHOICES.get(c.get("id").asText());
            if (choice == null) {
                fail("quirk case without a recorded choice: add it to QUIRK_CHOICES");
            }
            expect = c.get(choice);
        }
        String[] stripPrefix = {""};
        Policy policy = load(c, stripPrefix);
        JsonNode r = c.get("request");
        PolicyRequest request = new PolicyRequest(r.get("service").asText(), r.get("argument").asText(),
                r.get("source").asText(), r.get("target").asText(), text(r, "requested_source"));
        PolicyDecision decision = policy.evaluate(request, system);
        String result = expect.get("result").asText();

        if (expect.has("daemon_response")) {
            assertEquals(expect.get("daemon_response").asText(), decision.daemonResponse().orElseThrow(),
                    "daemon response");
        }
        switch (result) {
            case "parse-error":
                assertEquals(Result.DENY, decision.result());
                assertFalse(policy.isValid());
                assertNotNull(decision.error());
                assertEquals(PolicyError.Kind.PARSE, decision.error().kind());
                assertQubesMessage(expect.get("qubes_error").asText(), decision.error(), stripPrefix[0]);
                return;
            case "request-error":
                assertTrue(policy.isValid(), () -> "policy errors: " + policy.errors());
                assertEquals(Result.DENY, decision.result());
                assertNotNull(decision.error(), decision::toString);
                assertEquals(PolicyError.Kind.REQUEST, decision.error().kind());
                assertEquals(expect.get("qubes_error").asText().replaceFirst("^<unknown>:0: ", ""),
                        decision.error().message());
                return;
            default:
                break;
        }
        assertTrue(policy.isValid(), () -> "policy errors: " + policy.errors());
        assertNull(decision.error());
        assertEquals(result, decision.result().keyword(), decision::toString);
        assertEquals(expect.get("requested_target").asText(), decision.requestedTarget());
        JsonNode matched = expect.get("matched_rule");
        if (matched.isNull()) {
            assertNull(decision.matchedRule());
        } else {
            assertNotNull(decision.matchedRule(), decision::toString);
            assertEquals(matched.get("file").asText(), strip(decision.matchedRule().file(), stripPrefix[0]));
            assertEquals(matched.get("line").isNull() ? 0 : matched.get("line").asInt(), decision.matchedRule().line());
        }
        assertEquals(expect.get("notify").asBoolean(), decision.notifyUser(), "notify");
        if (result.equals("deny")) {
            assertEquals(expect.get("qubes_error").asText(), decision.reason());
            return;
        }
        assertEquals(text(expect, "user"), decision.user(), "user");
        assertEquals(expect.get("autostart").asBoolean(), decision.autostart(), "autostart");
        if (result.equals("allow")) {
            assertEquals(expect.get("target").asText(), decision.target());
            if (expect.has("execute_error")) {
                assertFalse(decision.permitsCall());
                assertEquals(expect.get("execute_error").asText(), decision.reason());
            } else {
                assertTrue(decision.permitsCall(), decision::toString);
            }
            return;
        }
        List<String> candidates = new ArrayList<>();
        expect.get("targets_for_ask").forEach(t -> candidates.add(t.asText()));
        assertEquals(candidates, decision.targetsForAsk());
        assertEquals(text(expect, "default_target"), decision.defaultTarget(), "default target");
        assertTrue(decision.daemonResponse().isEmpty());
        PolicyDecision assumeYes = policy.answerAsk(decision, decision.requestedTarget(), system);
        assertEquals(expect.get("assume_yes_result").asText(), assumeYes.permitsCall() ? "allow" : "deny",
                assumeYes::toString);
        for (JsonNode answer : c.path("user_responses")) {
            String response = answer.get("response").asText();
            PolicyDecision followUp = policy.answerAsk(decision,
                    response.startsWith("allow:") ? response.substring(6) : null, system);
            assertEquals(answer.get("result").asText(), followUp.result().keyword());
            assertEquals(answer.get("notify").asBoolean(), followUp.notifyUser());
            if (answer.has("target")) {
                assertEquals(answer.get("target").asText(), followUp.target());
            }
        }
    }

    /** Qubes words errors as {@code file:line: message}; file-level errors carry the message only. */
    private static void assertQubesMessage(String qubes, PolicyError error, String prefix) {
        String file = error.file() == null ? null : strip(error.file(), prefix);
        if (qubes.matches("^[^:\\s]+:\\d+: .*")) {
            assertEquals(qubes, file + ":" + error.line() + ": " + error.message());
        } else {
            assertTrue(error.message().startsWith(qubes), () -> "expected '" + qubes + "' in " + error);
        }
    }

    /** {@code <case dir>/dirN/x.policy} becomes {@code x.policy}. */
    private static String strip(String file, String prefix) {
        if (prefix.isEmpty() || !file.startsWith(prefix)) {
            return file;
        }
        String rest = file.substring(prefix.length());
        return rest.substring(rest.indexOf('/') + 1);
    }

    private Policy load(JsonNode c, String[] stripPrefix) throws IOException {
        if (c.has("policy_dirs")) {
            List<Path> dirs = new ArrayList<>();
            int n = 0;
            for (JsonNode dir : c.get("policy_dirs")) {
                Path d = Files.createDirectories(temp.resolve(c.get("id").asText()).resolve("dir" + n++));
                for (JsonNode f : dir.get("files")) {
                    Path file = d.resolve(f.get("name").asText());
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, f.get("content").asText(), StandardCharsets.UTF_8);
                }
                dirs.add(d);
            }
            // file names in the vectors are relative to the policy directory they were loaded from
            stripPrefix[0] = dirs.get(0).getParent() + "/dir";
            return Policies.fromDirectories(new DiskFiles(), dirs, null);
        }
        Map<String, String> files = new LinkedHashMap<>();
        String main;
        JsonNode policy = c.get("policy");
        if (policy.isTextual()) {
            main = "main";
            files.put(main, policy.asText());
        } else {
            main = policy.get(0).get("name").asText();
            policy.forEach(f -> files.put(f.get("name").asText(), f.get("content").asText()));
        }
        String legacyDir = null;
        if (c.has("legacy_policy")) {
            legacyDir = "legacy";
            for (JsonNode f : c.get("legacy_policy")) {
                files.put("legacy/" + f.get("name").asText(), f.get("content").asText());
            }
        }
        return Policies.fromMemory(main, files, legacyDir);
    }
}
