package io.bulkhead.cli.policy;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bulkhead policy}: tools for qrexec policy authors. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Evaluate and check qrexec policy (Qubes policy.d format).",
        subcommands = {PolicyEvalCommand.class, PolicyLintCommand.class})
public final class PolicyCommand implements Runnable {

    /** Exit code: the policy cannot be loaded, so every call would be denied. */
    public static final int EXIT_INVALID_POLICY = 3;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: eval or lint");
    }
}
