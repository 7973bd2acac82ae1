package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
import io.bulkhead.core.policy.PolicyDecision.Result;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.SystemView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading: directories, file names, order, directives and includes (reference a.1, a.6, a.7). */
class PolicyReaderTest {
    private static final SystemView SYSTEM = TestSystem.system();

    @TempDir
    Path temp;

    private Path dir(String name, String... nameAndContent) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(name));
        for (int i = 0; i < nameAndContent.length; i += 2) {
            Path file = dir.resolve(nameAndContent[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, nameAndContent[i + 1]);
        }
        return dir;
    }

    private static PolicyDecision eval(Policy policy, String service, String source, String target) {
        return policy.evaluate(PolicyRequest.of(service, source, target), SYSTEM);
    }

    private static List<String> rulesOf(Policy policy, String service, Path base) {
        List<String> out = new ArrayList<>();
        ((CompiledPolicy) policy).ruleLocationsFor(service)
                .forEach(l -> out.add(base.relativize(Path.of(l.file())) + ":" + l.line()));
        return out;
    }

    @Test
    void filesAreReadInByteOrderAndFirstMatchWinsAcrossFiles() throws IOException {
        Path d = dir("p", "9-late.policy", "* * @anyvm @anyvm deny\n",
                "10-early.policy", "* * work vault allow\n",
                "10-Early.txt", "not considered", "README", "not considered",
                ".hidden.policy", "garbage", "x.policy~", "garbage", "sub.policy/inner.policy", "garbage");
        Policy policy = PolicyLoader.load(List.of(d));
        assertTrue(policy.isValid(), policy.errors()::toString);
        assertEquals(2, policy.ruleCount());
        // "10-early" sorts before "9-late" byte-wise
        assertEquals(Result.ALLOW, eval(policy, "x", "work", "vault").result());
        assertEquals(List.of("10-early.policy:1", "9-late.policy:1"), rulesOf(policy, "x", d));
    }

    @Test
    void earlierDirectoryHidesSameNameInLaterOne() throws IOException {
        Path runtime = dir("run", "50-a.policy", "* * work vault deny\n");
        Path persistent = dir("etc", "50-a.policy", "* * work vault allow\n", "40-b.policy", "a * work dom0 allow\n");
        Policy policy = PolicyLoader.load(List.of(runtime, persistent));
        assertEquals(2, policy.ruleCount());
        PolicyDecision d = eval(policy, "x", "work", "vault");
        assertEquals(Result.DENY, d.result());
        assertEquals(runtime.resolve("50-a.policy").toString(), d.matchedRule().file());
        // merged order is by name across directories: etc/40-b before run/50-a
        assertEquals(List.of("../etc/40-b.policy:1", "50-a.policy:1"), rulesOf(policy, "a", runtime));
    }

    @Test
    void invalidFileNameInvalidatesEverything() throws IOException {
        Path d = dir("p", "30-User.policy", "* * @anyvm @anyvm allow\n", "50-ok.policy", "* * @anyvm @anyvm allow\n",
                "60-with space.policy", "* * @anyvm @anyvm allow\n");
        Policy policy = PolicyLoader.load(List.of(d));
        assertFalse(policy.isValid());
        assertEquals(2, policy.errors().size());
        assertTrue(policy.errors().get(0).file().endsWith("30-User.policy"));
        assertEquals(0, policy.ruleCount());
        PolicyDecision decision = eval(policy, "x", "work", "vault");
        assertEquals(Result.DENY, decision.result());
        assertEquals(PolicyError.Kind.PARSE, decision.error().kind());
        assertEquals("result=deny", decision.daemonResponse().orElseThrow());
    }

    @Test
    void missingDirectoryIsAnError() {
        Policy policy = PolicyLoader.load(List.of(temp.resolve("nope")));
        assertFalse(policy.isValid());
        assertTrue(policy.errors().get(0).message().startsWith("no such policy directory"));
    }

    @Test
    void allErrorsAreReportedWithLocations() throws IOException {
        Path d = dir("p", "10-a.policy", "# fine\n* * @anyvm @anyvm allow\nbad line\n\n* * @x @anyvm deny\n",
                "20-b.policy", "!include\n!bogus\n");
        Policy policy = PolicyLoader.load(List.of(d));
        List<String> errors = new ArrayList<>();
        for (PolicyError e : policy.errors()) {
            errors.add(d.relativize(Path.of(e.file())) + ":" + e.line() + ": " + e.message());
        }
        assertEquals(List.of("10-a.policy:3: wrong number of fields",
                "10-a.policy:5: invalid source token: '@x'",
                "20-b.policy:1: invalid number of params",
                "20-b.policy:2: invalid directive"), errors);
    }

    @Test
    void includeResolvesAgainstTheTopLevelDirectory() throws IOException {
        Path d = dir("p", "10-main.policy", "!include include/first\n* * @anyvm @anyvm deny\n",
                "include/first", "!include include/second\n",
                "include/second", "* * work vault allow\n");
        Policy policy = PolicyLoader.load(List.of(d));
        assertTrue(policy.isValid(), policy.errors()::toString);
        PolicyDecision decision = eval(policy, "x", "work", "vault");
        assertEquals(Result.ALLOW, decision.result());
        assertEquals(d.resolve("include/second").toString(), decision.matchedRule().file());
    }

    @Test
    void includeAbsolutePath() throws IOException {
        Path elsewhere = dir("elsewhere", "rules", "* * work vault allow\n");
        Path d = dir("p", "10-main.policy", "!include " + elsewhere.resolve("rules") + "\n");
        assertEquals(Result.ALLOW, eval(PolicyLoader.load(List.of(d)), "x", "work", "vault").result());
    }

    @Test
    void includeDirSplicesSortedFilesInPlace() throws IOException {
        Path d = dir("p", "10-main.policy", "* * work dom0 deny\n!include-dir extra\n* * @anyvm @anyvm deny\n",
                "extra/b.policy", "* * work vault ask\n", "extra/a.policy", "* * work vault allow\n",
                "extra/ignored", "garbage");
        Policy policy = PolicyLoader.load(List.of(d));
        assertEquals(List.of("10-main.policy:1", "extra/a.policy:1", "extra/b.policy:1", "10-main.policy:3"),
                rulesOf(policy, "x", d));
        Path bad = dir("q", "10-main.policy", "!include-dir nothere\n!include-dir 10-main.policy\n");
        List<PolicyError> errors = PolicyLoader.load(List.of(bad)).errors();
        assertEquals(2, errors.size());
        assertTrue(errors.get(0).message().startsWith("no such policy directory"));
        assertTrue(errors.get(1).message().startsWith("not a directory"));
    }

    @Test
    void includeServiceUsesOldSyntaxWithThatServiceAndArgument() throws IOException {
        Path d = dir("p", "10-main.policy", "!include-service qubes.Gpg +key include/gpg\n* * @anyvm @anyvm deny\n",
                "include/gpg", "# old syntax\n$anyvm $dispvm:dvm allow,user=root\nwork vault ask,default_target=vault\n"
                        + "$include:include/more\n",
                "include/more", "untrusted vault deny\n");
        Policy policy = PolicyLoader.load(List.of(d));
        assertTrue(policy.isValid(), policy.errors()::toString);
        PolicyDecision allow = eval(policy, "qubes.Gpg+key", "work", "@dispvm:dvm");
        assertEquals(Result.ALLOW, allow.result());
        assertEquals("root", allow.user());
        PolicyDecision ask = eval(policy, "qubes.Gpg+key", "work", "vault");
        assertEquals(Result.ASK, ask.result());
        assertEquals("vault", ask.defaultTarget());
        assertEquals(d.resolve("include/more").toString(),
                eval(policy, "qubes.Gpg+key", "untrusted", "vault").matchedRule().file());
        // another argument or service does not see the included rules
        assertEquals("10-main.policy", Path.of(eval(policy, "qubes.Gpg+other", "work", "vault")
                .matchedRule().file()).getFileName().toString());
        assertEquals(Result.DENY, eval(policy, "qubes.Other+key", "work", "@dispvm:dvm").result());
    }

    @Test
    void includeServiceFileAcceptsOnlyInclude() throws IOException {
        Path d = dir("p", "10-main.policy", "!include-service * * inc\n!include-service a+b * inc\n",
                "inc", "!include-dir x\n!include\n");
        List<PolicyError> errors = PolicyLoader.load(List.of(d)).errors();
        assertEquals(List.of("invalid directive", "invalid number of params",
                "service 'a+b' contains invalid characters: ('+',)"), errors.stream().map(PolicyError::message).toList());
        assertEquals(List.of(1, 2, 2), errors.stream().map(PolicyError::line).toList());
    }

    @Test
    void missingIncludesAndLoopsAreErrorsNotHangs() throws IOException {
        Path d = dir("p", "10-main.policy", "!include nofile\n!include include/a\n!include-service * * include\n",
                "include/a", "!include include/b\n", "include/b", "!include include/a\n");
        List<PolicyError> errors = PolicyLoader.load(List.of(d)).errors();
        assertEquals(3, errors.size(), errors::toString);
        assertEquals("no such policy file: 'nofile'", errors.get(0).message());
        assertTrue(errors.get(1).message().startsWith("include loop:"), errors.get(1)::toString);
        assertTrue(errors.get(1).file().endsWith("include/b"));
        assertTrue(errors.get(2).message().startsWith("not a file:"));
    }

    @Test
    void includeDirOfItsOwnDirectoryIsALoop() throws IOException {
        Path d = dir("p", "10-main.policy", "!include-dir .\n");
        Policy policy = PolicyLoader.load(List.of(d));
        assertEquals(1, policy.errors().size());
        assertTrue(policy.errors().get(0).message().startsWith("include loop:"));
    }

    @Test
    void exponentialIncludeFanOutIsBounded() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("main", "!include f0\n!include f0\n");
        for (int i = 0; i < 40; i++) {
            files.put("f" + i, "!include f" + (i + 1) + "\n!include f" + (i + 1) + "\n");
        }
        files.put("f40", "* * @anyvm @anyvm allow\n");
        Policy policy = PolicyLoader.fromStrings("main", files);
        assertFalse(policy.isValid());
        assertTrue(policy.errors().stream().anyMatch(e -> e.message().contains("limit")), policy.errors()::toString);
    }

    @Test
    void compat40ImportsLegacyFilesInServiceOrderWithImplicitDenies() throws IOException {
        Path legacy = dir("legacy", "qubes.B", "work vault allow\n", "qubes.A+x", "work vault allow\n",
                "qubes.A", "untrusted vault allow\n", "qubes.A+w", "work dom0 allow\n", "qubes.C.rpmnew", "garbage",
                ".swp", "garbage", "bad name", "garbage");
        Path d = dir("p", "35-compat.policy", "!compat-4.0\n* * @anyvm @anyvm allow target=vault\n");
        Policy policy = PolicyLoader.load(List.of(d), legacy);
        assertTrue(policy.isValid(), policy.errors()::toString);
        assertEquals(List.of("../legacy/qubes.A+w:1", "../legacy/qubes.A+w:0", "../legacy/qubes.A+w:0",
                "../legacy/qubes.A+x:1", "../legacy/qubes.A+x:0", "../legacy/qubes.A+x:0", "../legacy/qubes.A:1",
                "35-compat.policy:2"), rulesOf(policy, "qubes.A", d));
        // argument-specific file: implicit deny stops the fall-through
        PolicyDecision denied = eval(policy, "qubes.A+x", "untrusted", "work");
        assertEquals(Result.DENY, denied.result());
        assertEquals(0, denied.matchedRule().line());
        // generic file: no implicit deny, later policy applies
        assertEquals(Result.ALLOW, eval(policy, "qubes.B", "untrusted", "work").result());
        // without a legacy directory !compat-4.0 imports nothing
        assertEquals(1, PolicyLoader.load(List.of(d)).ruleCount());
        assertFalse(PolicyLoader.load(List.of(d), temp.resolve("none")).isValid());
    }

    @Test
    void invalidUtf8IsReportedAtItsLine() throws IOException {
        Path d = dir("p");
        Files.write(d.resolve("10-a.policy"), "* * @anyvm @anyvm allow\n# \u00e9\n\u00ff\n".getBytes(StandardCharsets.ISO_8859_1));
        Policy policy = PolicyLoader.load(List.of(d));
        assertEquals(1, policy.errors().size());
        assertEquals(2, policy.errors().get(0).line());
        assertEquals("invalid UTF-8", policy.errors().get(0).message());
    }

    @Test
    void hugeIncludedFileIsRefusedNotRead() throws IOException {
        Path d = dir("p", "10-a.policy", "!include big\n");
        try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(d.resolve("big").toFile(), "rw")) {
            big.setLength(DiskFiles.MAX_FILE_BYTES + 1); // sparse: nothing is written
        }
        Policy policy = PolicyLoader.load(List.of(d));
        assertEquals(1, policy.errors().size());
        assertTrue(policy.errors().get(0).message().startsWith("cannot read: larger than 16 MiB"),
                policy.errors()::toString);
    }

    @Test
    void crlfAndTabsAreAccepted() throws IOException {
        Path d = dir("p", "10-a.policy", "qubes.X\t*\twork\tvault\tallow\r\n\r\n  # c\r\n");
        Policy policy = PolicyLoader.load(List.of(d));
        assertTrue(policy.isValid(), policy.errors()::toString);
        assertEquals(Result.ALLOW, eval(policy, "qubes.X", "work", "vault").result());
    }

    @Test
    void commentsAreWholeLinesOnly() {
        Policy policy = TestSystem.policy("* * @anyvm @anyvm allow # not a comment\n");
        assertEquals("invalid action parameter syntax: '#'", policy.errors().get(0).message());
    }
}
