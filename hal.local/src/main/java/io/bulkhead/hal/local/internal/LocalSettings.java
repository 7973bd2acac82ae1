package io.bulkhead.hal.local.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The backend's configuration with every default resolved: {@link LocalConfiguration} values,
 * else framework properties, else the running JVM's. Building it never fails for a missing
 * agent jar (that is reported when a qube starts); it fails for values that can never work.
 *
 * @param agentJar         the agent jar, if configured anywhere
 * @param agentJarSource   where {@code agentJar} came from, for error messages
 * @param javaExecutable   java that runs the agents
 * @param runDirectory     parent of the per-qube directories
 * @param sharedRpcDir     the configured service directory, or empty for one fresh directory per qube
 * @param jvmOptions       options placed before {@code -jar}
 * @param logLevel         the agents' {@code --log-level}
 * @param channelTimeout   how long openChannel waits for an agent to connect
 */
record LocalSettings(Optional<Path> agentJar, String agentJarSource, Path javaExecutable, Path runDirectory,
        Optional<Path> sharedRpcDir, List<String> jvmOptions, String logLevel, Duration channelTimeout) {

    /** Framework property naming the agent jar when the configuration does not. */
    static final String AGENT_JAR_PROPERTY = "bulkhead.agent.jar";
    /** Framework property naming the Bulkhead data directory. */
    static final String DATA_DIR_PROPERTY = "bulkhead.data.dir";

    private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error");

    LocalSettings {
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * @param frameworkProperty looks up a framework property (BundleContext::getProperty in OSGi,
     *                          System::getProperty outside); returns {@code null} when unset
     * @throws IllegalArgumentException naming the configuration key of a value that cannot work
     */
    static LocalSettings resolve(LocalConfiguration config, UnaryOperator<String> frameworkProperty) {
        Optional<Path> jar;
        String jarSource;
        if (!config.agentJar().isBlank()) {
            jar = Optional.of(path(config.agentJar()));
            jarSource = "configuration " + LocalHypervisor.PID + " agentJar";
        } else if (!blank(frameworkProperty.apply(AGENT_JAR_PROPERTY))) {
            jar = Optional.of(path(frameworkProperty.apply(AGENT_JAR_PROPERTY)));
            jarSource = "framework property " + AGENT_JAR_PROPERTY;
        } else {
            jar = Optional.empty();
            jarSource = "neither configuration " + LocalHypervisor.PID + " agentJar nor framework property "
                    + AGENT_JAR_PROPERTY + " is set";
        }
        Path javaExecutable = config.javaExecutable().isBlank()
                ? Path.of(System.getProperty("java.home"), "bin", "java")
                : path(config.javaExecutable());
        Path runDir;
        if (!config.runDir().isBlank()) {
            runDir = path(config.runDir());
        } else {
            String dataDir = frameworkProperty.apply(DATA_DIR_PROPERTY);
            Path base = blank(dataDir) ? Path.of(System.getProperty("user.home"), ".bulkhead") : path(dataDir);
            runDir = base.resolve("run").resolve("local");
        }
        Optional<Path> rpcDir = config.rpcDir().isBlank() ? Optional.empty() : Optional.of(path(config.rpcDir()));
        List<String> options = Arrays.stream(config.agentJvmOptions().trim().split("\\s+"))
                .filter(o -> !o.isEmpty()).toList();
        for (String option : options) {
            if (!option.startsWith("-") || option.equals("-jar")) {
                throw new IllegalArgumentException("configuration " + LocalHypervisor.PID + " agentJvmOptions: '"
                        + option + "' is not a JVM option (each must start with '-', and -jar is added by the backend)");
            }
        }
        String level = config.agentLogLevel().trim().toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw new IllegalArgumentException("configuration " + LocalHypervisor.PID + " agentLogLevel: '"
                    + config.agentLogLevel() + "' is not one of debug, info, warn, error");
        }
        if (config.channelTimeoutSeconds() <= 0) {
            throw new IllegalArgumentException("configuration " + LocalHypervisor.PID + " channelTimeoutSeconds must be > 0, not "
                    + config.channelTimeoutSeconds());
        }
        return new LocalSettings(jar, jarSource, javaExecutable, runDir.toAbsolutePath().normalize(), rpcDir, options, level,
                Duration.ofSeconds(config.channelTimeoutSeconds()));
    }

    /** Expands {@code ${user.home}} (as the .cfg files of the other components allow) and makes the path absolute. */
    private static Path path(String value) {
        return Path.of(value.trim().replace("${user.home}", System.getProperty("user.home"))).toAbsolutePath().normalize();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
