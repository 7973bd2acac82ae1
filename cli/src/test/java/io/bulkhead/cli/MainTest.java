package io.bulkhead.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI run in-process against temporary policy directories. */
class MainTest {
    private static final String SYSTEM = """
            {"description": "ignored", "domains": [
              {"name": "dom0", "type": "AdminVM", "tags": [], "uuid": "00000000-0000-0000-0000-000000000000",
               "template_for_dispvms": false, "default_dispvm": "dvm", "power_state": "Running", "internal": false},
              {"name": "work", "type": "AppVM", "tags": ["trusted"], "uuid": "11111111-1111-1111-1111-111111111111",
               "template_for_dispvms": false, "default_dispvm": "dvm", "power_state": "Running", "internal": false},
              {"name": "vault", "type": "AppVM", "tags": [], "uuid": "22222222-2222-2222-2222-222222222222",
               "template_for_dispvms": false, "default_dispvm": null, "power_state": "Halted", "internal": false},
              {"name": "dvm", "type": "AppVM", "tags": [], "uuid": "33333333-3333-3333-3333-333333333333",
               "template_for_dispvms": true, "default_dispvm": "dvm", "power_state": "Halted", "internal": false}
            ]}
            """;

    @TempDir
    Path temp;
    private Path policyDir;
    private Path systemFile;

    /** Exit code and both output streams of one run. */
    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.strip().split("\n"));
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        policyDir = Files.createDirectories(temp.resolve("policy.d"));
        Files.writeString(policyDir.resolve("30-user.policy"), """
                qubes.Gpg * work vault allow user=gpg
                qubes.Ask * work @anyvm ask default_target=vault
                qubes.Disp * work @dispvm allow
                """);
        Files.writeString(policyDir.resolve("90-default.policy"), "* * @anyvm @anyvm deny\n");
        systemFile = Files.writeString(temp.resolve("system.json"), SYSTEM);
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Run eval(String... tail) {
        List<String> args = new ArrayList<>(List.of("policy", "eval", "--policy-dir", policyDir.toString(),
                "--system", systemFile.toString()));
        args.addAll(List.of(tail));
        return run(args.toArray(String[]::new));
    }

    private static JsonNode json(Run run) throws IOException {
        assertEquals(1, run.lines().size(), "one JSON object on one line");
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void allowPrintsTheDaemonAnswer() {
        Run run = eval("qubes.Gpg+key", "work", "vault");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("user=gpg", "result=allow", "target=vault",
                "target_uuid=uuid:22222222-2222-2222-2222-222222222222", "autostart=True", "requested_target=vault"),
                run.lines());
    }

    @Test
    void denyPrintsResultDenyAndExitsOne() {
        Run run = eval("qubes.Gpg", "vault", "work");
        assertEquals(1, run.code());
        assertEquals(List.of("result=deny"), run.lines());
        assertTrue(run.err().contains("denied by policy " + policyDir.resolve("90-default.policy") + ":1"), run.err());
    }

    @Test
    void askPrintsTheCandidatesOrAnswersWithAssumeYes() {
        Run ask = eval("qubes.Ask", "work", "vault");
        assertEquals(0, ask.code());
        assertEquals(List.of("result=ask", "targets_for_ask=@dispvm:dvm dvm vault", "default_target=vault",
                "user=DEFAULT", "autostart=True", "requested_target=vault"), ask.lines());
        Run yes = eval("--assume-yes-for-ask", "qubes.Ask", "work", "vault");
        assertEquals(0, yes.code());
        assertEquals("result=allow", yes.lines().get(1));
        Run notCandidate = eval("--assume-yes-for-ask", "qubes.Ask", "work", "");
        assertEquals(1, notCandidate.code());
        assertEquals(List.of("result=deny"), notCandidate.lines());
    }

    @Test
    void jsonAllow() throws IOException {
        JsonNode o = json(eval("--json", "qubes.Disp", "work", "@dispvm"));
        assertEquals("allow", o.get("result").asText());
        assertEquals("@dispvm:dvm", o.get("target").asText());
        assertTrue(o.get("user").isNull());
        assertEquals(false, o.get("notify").asBoolean());
        assertEquals(true, o.get("autostart").asBoolean());
        assertEquals(policyDir.resolve("30-user.policy").toString(), o.get("matched_rule").get("file").asText());
        assertEquals(3, o.get("matched_rule").get("line").asInt());
        assertTrue(o.get("error").isNull());
        assertTrue(o.get("daemon_response").asText().contains("target_uuid=@dispvm:uuid:33333333"));
    }

    @Test
    void jsonAsk() throws IOException {
        JsonNode o = json(eval("--json", "qubes.Ask", "work", "vault"));
        assertEquals("ask", o.get("result").asText());
        assertEquals(3, o.get("targets_for_ask").size(), "@anyvm offers neither dom0 nor the caller");
        assertEquals("vault", o.get("default_target").asText());
        assertTrue(o.get("daemon_response").isNull());
    }

    @Test
    void jsonRequestError() throws IOException {
        Run run = eval("--json", "qubes.Gpg", "work", "@anyvm");
        assertEquals(1, run.code());
        JsonNode o = json(run);
        assertEquals("deny", o.get("result").asText());
        assertEquals("request", o.get("error").get("kind").asText());
        assertEquals("invalid intendedtarget token: '@anyvm'", o.get("error").get("message").asText());
        assertTrue(o.get("error").get("file").isNull());
    }

    @Test
    void invalidPolicyIsReportedAndExitsThree() throws IOException {
        Files.writeString(policyDir.resolve("40-bad.policy"), "# ok\nqubes.Gpg * work vault allow notify=maybe\n");
        Run run = eval("--json", "qubes.Gpg", "work", "vault");
        assertEquals(3, run.code());
        JsonNode error = json(run).get("error");
        assertEquals("parse", error.get("kind").asText());
        assertEquals(policyDir.resolve("40-bad.policy").toString(), error.get("file").asText());
        assertEquals(2, error.get("line").asInt());
        assertEquals("'notify' is 'maybe', but can be only 'yes' or 'no'", error.get("message").asText());
        assertEquals("deny", json(run).get("result").asText());
        Run plain = eval("qubes.Gpg", "work", "vault");
        assertEquals(List.of("result=deny"), plain.lines());
        assertTrue(plain.err().contains("40-bad.policy:2: 'notify' is 'maybe'"), plain.err());
    }

    @Test
    void lintListsEveryError() throws IOException {
        Run clean = run("policy", "lint", "--policy-dir", policyDir.toString());
        assertEquals(0, clean.code(), clean.out());
        assertEquals(List.of(), clean.lines());
        assertTrue(clean.err().contains("4 rules"));
        Files.writeString(policyDir.resolve("40-bad.policy"), "!include nothere\n\nqubes.X * @bogus vault allow\n");
        Files.writeString(policyDir.resolve("50-Upper.policy"), "");
        Run dirty = run("policy", "lint", "--policy-dir", policyDir.toString());
        assertEquals(1, dirty.code());
        String bad = policyDir.resolve("40-bad.policy").toString();
        assertEquals(List.of(
                policyDir.resolve("50-Upper.policy") + ":0: invalid filename: 50-Upper.policy (only 0-9 a-z _ . - are "
                        + "allowed; the whole policy is rejected)",
                bad + ":1: no such policy file: 'nothere'",
                bad + ":3: invalid source token: '@bogus'"), dirty.lines());
    }

    @Test
    void usageAndInputErrorsExitTwo() throws IOException {
        assertEquals(2, run().code());
        assertEquals(2, run("policy").code());
        assertEquals(2, run("policy", "eval", "--policy-dir", policyDir.toString(), "a", "b", "c").code());
        assertEquals(2, run("policy", "lint").code());
        Run missing = run("policy", "eval", "--policy-dir", policyDir.toString(), "--system",
                temp.resolve("none.json").toString(), "a", "b", "c");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Files.writeString(systemFile, "{\"domains\": [{\"name\": \"x\", \"tags\": \"oops\"}]}");
        Run bad = eval("qubes.Gpg", "work", "vault");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("domains[0]: \"tags\" must be an array of strings"), bad.err());
        Files.writeString(systemFile, "not json");
        assertEquals(2, eval("qubes.Gpg", "work", "vault").code());
    }

    @Test
    void helpListsTheCommands() {
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("policy"));
        Run evalHelp = run("policy", "eval", "--help");
        assertTrue(evalHelp.out().contains("--policy-dir") && evalHelp.out().contains("Exit codes"));
    }
}
