package io.bulkhead.hal.local.internal;

import io.bulkhead.core.domains.hal.support.MetatypeConfigurations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Defaults and validation of the configuration. */
class LocalSettingsTest {

    private static final UnaryOperator<String> NO_PROPERTIES = key -> null;

    private static LocalSettings resolve(Map<String, ?> config, UnaryOperator<String> properties) {
        return LocalSettings.resolve(MetatypeConfigurations.of(LocalConfiguration.class, config), properties);
    }

    @Test
    void defaultsComeFromTheRunningJvmAndTheUsersHome() {
        LocalSettings s = resolve(Map.of(), NO_PROPERTIES);
        assertEquals(Optional.empty(), s.agentJar());
        assertTrue(s.agentJarSource().contains("agentJar") && s.agentJarSource().contains("bulkhead.agent.jar"));
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java"), s.javaExecutable());
        assertEquals(Path.of(System.getProperty("user.home"), ".bulkhead", "run", "local"), s.runDirectory());
        assertEquals(Optional.empty(), s.sharedRpcDir());
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"), s.jvmOptions());
        assertEquals("info", s.logLevel());
        assertEquals(Duration.ofSeconds(30), s.channelTimeout());
    }

    @Test
    void frameworkPropertiesFillWhatTheConfigurationLeavesEmpty() {
        Map<String, String> properties = Map.of("bulkhead.agent.jar", "/opt/agent.jar", "bulkhead.data.dir", "/srv/bh");
        LocalSettings s = resolve(Map.of(), properties::get);
        assertEquals(Optional.of(Path.of("/opt/agent.jar")), s.agentJar());
        assertTrue(s.agentJarSource().contains("framework property"));
        assertEquals(Path.of("/srv/bh/run/local"), s.runDirectory());
    }

    @Test
    void configurationWinsOverFrameworkProperties() {
        Map<String, String> properties = Map.of("bulkhead.agent.jar", "/opt/agent.jar", "bulkhead.data.dir", "/srv/bh");
        LocalSettings s = resolve(Map.of("agentJar", "/x/agent.jar", "runDir", "${user.home}/r", "rpcDir", "/etc/rpc",
                "javaExecutable", "/usr/lib/jvm/j/bin/java", "agentJvmOptions", "  -Xmx64m   -Dx=1 ",
                "agentLogLevel", "DEBUG", "channelTimeoutSeconds", "5"), properties::get);
        assertEquals(Optional.of(Path.of("/x/agent.jar")), s.agentJar());
        assertTrue(s.agentJarSource().contains("configuration"));
        assertEquals(Path.of(System.getProperty("user.home"), "r"), s.runDirectory());
        assertEquals(Optional.of(Path.of("/etc/rpc")), s.sharedRpcDir());
        assertEquals(Path.of("/usr/lib/jvm/j/bin/java"), s.javaExecutable());
        assertEquals(List.of("-Xmx64m", "-Dx=1"), s.jvmOptions());
        assertEquals("debug", s.logLevel());
        assertEquals(Duration.ofSeconds(5), s.channelTimeout());
    }

    @Test
    void valuesThatCannotWorkAreRefusedNamingTheKey() {
        IllegalArgumentException level = assertThrows(IllegalArgumentException.class,
                () -> resolve(Map.of("agentLogLevel", "loud"), NO_PROPERTIES));
        assertTrue(level.getMessage().contains("agentLogLevel") && level.getMessage().contains("loud"));
        IllegalArgumentException jar = assertThrows(IllegalArgumentException.class,
                () -> resolve(Map.of("agentJvmOptions", "-Xmx64m -jar other.jar"), NO_PROPERTIES));
        assertTrue(jar.getMessage().contains("agentJvmOptions"), jar.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> resolve(Map.of("agentJvmOptions", "Xmx64m"), NO_PROPERTIES));
        assertTrue(word.getMessage().contains("'Xmx64m'"), word.getMessage());
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> resolve(Map.of("channelTimeoutSeconds", "0"), NO_PROPERTIES));
        assertTrue(timeout.getMessage().contains("channelTimeoutSeconds"), timeout.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> resolve(Map.of("channelTimeoutSeconds", "soon"), NO_PROPERTIES).channelTimeout());
        assertTrue(number.getMessage().contains("channelTimeoutSeconds"), number.getMessage());
    }
}
