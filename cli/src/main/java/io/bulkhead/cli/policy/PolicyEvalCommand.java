package io.bulkhead.cli.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
import io.bulkhead.core.policy.PolicyDecision.Result;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.RuleLocation;
import io.bulkhead.core.policy.SystemView;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulkhead policy eval}: what would the policy daemon answer to this call? */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates one qrexec call against policy directories and a set of qubes.",
            "Prints the policy daemon's answer (key=value lines; for ask: result=ask and the candidates),"
                + " or with --json one JSON object."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:allowed, or ask (the user would be asked)", "1:denied (by a rule, no matching rule, "
                + "an invalid request, or an allowed call that cannot be delivered)",
            "2:usage error or unreadable --system file", "3:the policy is invalid: every call is denied"})
public final class PolicyEvalCommand implements Callable<Integer> {

    @Option(names = "--policy-dir", required = true, paramLabel = "DIR",
            description = "Policy directory; repeat in precedence order (runtime before persistent).")
    List<Path> policyDirs;

    @Option(names = "--legacy-dir", paramLabel = "DIR",
            description = "Pre-R4.1 per-service policy imported by !compat-4.0 (default: none).")
    Path legacyDir;

    @Option(names = "--system", required = true, paramLabel = "FILE",
            description = "JSON {\"domains\":[{name,type,tags,uuid,template_for_dispvms,default_dispvm,"
                    + "power_state,internal},...]}")
    Path systemFile;

    @Option(names = "--json", description = "Print one JSON object instead of the daemon's lines.")
    boolean json;

    @Option(names = "--assume-yes-for-ask",
            description = "Answer ask with the requested target, as qrexec-policy-exec --assume-yes-for-ask.")
    boolean assumeYes;

    @Option(names = "--requested-source", paramLabel = "QUBE",
            description = "Source claimed by a relay for a RemoteVM (SOURCE must be its relay).")
    String requestedSource;

    @Parameters(index = "0", paramLabel = "SERVICE+ARG", description = "Service and argument, e.g. qubes.Gpg+key.")
    String serviceAndArgument;

    @Parameters(index = "1", paramLabel = "SOURCE", description = "Calling qube.")
    String source;

    @Parameters(index = "2", paramLabel = "TARGET", description = "Intended target as the caller sends it "
            + "(a name, @default, @dispvm, @dispvm:NAME, @adminvm; empty means @default).")
    String target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper mapper = new ObjectMapper();
        SystemView system;
        try {
            system = SystemFile.read(systemFile, mapper);
        } catch (SystemFile.InvalidSystemFile e) {
            err.println("bulkhead policy eval: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        PolicyRequest request = PolicyRequest.of(serviceAndArgument, source, target);
        if (requestedSource != null) {
            request = new PolicyRequest(request.service(), request.argument(), source, target, requestedSource);
        }
        Policy policy = PolicyLoader.load(policyDirs, legacyDir);
        PolicyDecision decision = policy.evaluate(request, system);
        if (assumeYes && decision.result() == Result.ASK) {
            decision = policy.answerAsk(decision, decision.requestedTarget(), system);
        }

        if (json) {
            out.println(toJson(mapper, decision));
        } else {
            out.println(plain(decision));
        }
        explain(err, policy, decision);
        if (!policy.isValid()) {
            return PolicyCommand.EXIT_INVALID_POLICY;
        }
        return decision.result() == Result.ASK || decision.permitsCall() ? 0 : 1;
    }

    /** The daemon's lines; ask has none, so it gets a Bulkhead-specific summary. */
    static String plain(PolicyDecision decision) {
        if (decision.result() != Result.ASK) {
            return decision.daemonResponse().orElseThrow();
        }
        StringBuilder out = new StringBuilder("result=ask");
        out.append("\ntargets_for_ask=").append(String.join(" ", decision.targetsForAsk()));
        if (decision.defaultTarget() != null) {
            out.append("\ndefault_target=").append(decision.defaultTarget());
        }
        out.append("\nuser=").append(decision.user() == null ? "DEFAULT" : decision.user());
        out.append("\nautostart=").append(decision.autostart() ? "True" : "False");
        out.append("\nrequested_target=").append(decision.requestedTarget());
        return out.toString();
    }

    static String toJson(ObjectMapper mapper, PolicyDecision d) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("result", d.result().keyword());
        o.put("target", d.target());
        o.put("targets_for_ask", d.targetsForAsk());
        o.put("default_target", d.defaultTarget());
        o.put("user", d.user());
        o.put("notify", d.notifyUser());
        o.put("autostart", d.autostart());
        o.put("requested_target", d.requestedTarget());
        RuleLocation rule = d.matchedRule();
        if (rule == null) {
            o.put("matched_rule", null);
        } else {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", rule.file());
            r.put("line", rule.line() > 0 ? rule.line() : null);
            o.put("matched_rule", r);
        }
        o.put("reason", d.reason());
        PolicyError error = d.error();
        if (error == null) {
            o.put("error", null);
        } else {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("kind", error.kind().name().toLowerCase(Locale.ROOT));
            e.put("file", error.file());
            e.put("line", error.line());
            e.put("message", error.message());
            o.put("error", e);
        }
        o.put("daemon_response", d.daemonResponse().orElse(null));
        try {
            return mapper.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a map of strings", e);
        }
    }

    /** Why, on stderr, so that stdout stays machine-readable. */
    private static void explain(PrintWriter err, Policy policy, PolicyDecision decision) {
        if (!policy.isValid()) {
            err.println("policy is invalid, every call is denied:");
            for (PolicyError e : policy.errors()) {
                err.println("  " + e.file() + ":" + e.line() + ": " + e.message());
            }
        } else if (decision.reason() != null) {
            err.println((decision.result() == Result.DENY ? "denied: " : "allowed but not deliverable: ")
                    + decision.reason());
        }
    }
}
