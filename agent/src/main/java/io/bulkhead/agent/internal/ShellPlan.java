package io.bulkhead.agent.internal;

import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * How a shell command runs for a user: the program and arguments that come before the command
 * text ({@code SHELL -c} or {@code su -s SHELL USER -c}), the variables set on top of the agent's
 * environment and the working directory. Two equal plans start identical processes, which is
 * what lets a shell spawned ahead of time ({@link WarmShells}) stand in for one spawned on demand.
 *
 * @param user      the requested user
 * @param shell     the shell that interprets the command
 * @param argv      everything before the command text; ends with {@code -c}
 * @param env       variables added to the agent's environment
 * @param directory working directory, or {@code null} for the agent's
 */
record ShellPlan(String user, String shell, List<String> argv, Map<String, String> env, File directory) {

    ShellPlan {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }
}
