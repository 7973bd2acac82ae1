package io.bulkhead.hal.local.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * ConfigAdmin configuration of the local-process backend (PID {@code io.bulkhead.hal.local}).
 * Empty strings mean "use the default" so that a {@code .cfg} file only names what it changes.
 */
@ObjectClassDefinition(id = LocalHypervisor.PID, name = "Bulkhead local-process backend (NO ISOLATION)",
        description = "Runs every qube's guest agent as a plain process on the host, for development and tests. "
                + "Gives no isolation at all: never use it for real data.")
public @interface LocalConfiguration {

    @AttributeDefinition(name = "Agent jar", required = false,
            description = "Path of the shaded guest agent jar (agent/target/bulkhead-agent.jar). Empty: the "
                    + "framework property bulkhead.agent.jar. Starting a qube fails while neither is set.")
    String agentJar() default "";

    @AttributeDefinition(name = "Java executable", required = false,
            description = "java used to run the agents. Empty: ${java.home}/bin/java of this JVM")
    String javaExecutable() default "";

    @AttributeDefinition(name = "Run directory", required = false,
            description = "Parent of the per-qube directories (sockets, console.log). Empty: "
                    + "<bulkhead.data.dir or ${user.home}/.bulkhead>/run/local")
    String runDir() default "";

    @AttributeDefinition(name = "Service directory", required = false,
            description = "qrexec service directory every agent serves (shared by all qubes; must exist). "
                    + "Empty: a fresh empty <runDir>/<qube>/qubes-rpc per qube, removed when it stops")
    String rpcDir() default "";

    @AttributeDefinition(name = "Agent JVM options", required = false,
            description = "Options for the agent JVMs, separated by white space (an option cannot contain a space)")
    String agentJvmOptions() default "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";

    @AttributeDefinition(name = "Agent log level", description = "--log-level of the agents",
            options = {@Option(value = "debug"), @Option(value = "info"), @Option(value = "warn"), @Option(value = "error")})
    String agentLogLevel() default "info";

    @AttributeDefinition(name = "Channel timeout",
            description = "Seconds openChannel waits for a running agent to connect to its qrexec socket")
    int channelTimeoutSeconds() default 30;
}
