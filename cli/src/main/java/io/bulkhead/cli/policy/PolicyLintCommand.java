package io.bulkhead.cli.policy;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.PolicyLoader;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulkhead policy lint}: load policy directories as the daemon would and list every error. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Loads policy directories (with their includes) and prints every error as file:line: message",
            "(line 0: the whole file, e.g. a bad file name). Any error makes Qubes deny every call."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no error", "1:errors found", "2:usage error"})
public final class PolicyLintCommand implements Callable<Integer> {

    @Option(names = "--policy-dir", required = true, paramLabel = "DIR",
            description = "Policy directory; repeat in precedence order.")
    List<Path> policyDirs;

    @Option(names = "--legacy-dir", paramLabel = "DIR",
            description = "Pre-R4.1 per-service policy imported by !compat-4.0 (default: none).")
    Path legacyDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Policy policy = PolicyLoader.load(policyDirs, legacyDir);
        for (PolicyError error : policy.errors()) {
            out.println(error.file() + ":" + error.line() + ": " + error.message());
        }
        if (!policy.isValid()) {
            err.println(policy.errors().size() + " error(s): the policy is invalid, every call would be denied");
            return 1;
        }
        err.println("policy OK: " + policy.ruleCount() + " rules");
        return 0;
    }
}
