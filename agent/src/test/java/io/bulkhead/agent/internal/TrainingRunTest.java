package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The template builder's training run ({@code --train}) and the agent's hand-made log time stamps. */
class TrainingRunTest {
    @TempDir
    Path rpcDir;

    @Test
    void trainingRunServesTheHelloAndCommandsAndCleansUp() throws Exception {
        List<Path> before = trainingDirectories();
        AgentConfig config = AgentMain.parse(new String[] {"--rpc-dir", rpcDir.toString(), "--log-level", "warn"});
        assertEquals(0, TrainingRun.run(config, new Log(Log.Level.WARN)));
        assertEquals(before, trainingDirectories(), "the training run leaves its temporary directory behind");
    }

    private static List<Path> trainingDirectories() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("bulkhead-agent-train")).sorted().toList();
        }
    }

    @Test
    void logTimeIsLocalTimeWithMilliseconds() {
        Log log = new Log(Log.Level.INFO);
        DateTimeFormatter expected = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
        for (long millis : new long[] {0L, 7L, 59_999L, 3_600_000L + 61_042L, 946_684_799_999L, 1_795_000_123_456L,
            System.currentTimeMillis()}) {
            assertEquals(LocalTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault()).format(expected),
                    log.localTime(millis), "at " + millis);
        }
    }
}
