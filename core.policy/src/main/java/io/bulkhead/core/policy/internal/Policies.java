package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.Policy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds policies for {@link io.bulkhead.core.policy.PolicyLoader}. */
public final class Policies {
    private Policies() {
    }

    public static Policy fromDirectories(List<Path> directories, Path legacyDir) {
        return fromDirectories(new DiskFiles(), directories, legacyDir);
    }

    static CompiledPolicy fromDirectories(PolicyFiles files, List<Path> directories, Path legacyDir) {
        List<String> dirs = new ArrayList<>(directories.size());
        for (Path dir : directories) {
            dirs.add(dir.normalize().toString());
        }
        PolicyReader reader = new PolicyReader(files, legacyDir == null ? null : legacyDir.normalize().toString());
        reader.readDirectories(dirs);
        return new CompiledPolicy(reader.rules(), reader.errors());
    }

    public static Policy fromStrings(String mainName, Map<String, String> files) {
        return fromMemory(mainName, files, null);
    }

    /**
     * In-memory policy: {@code mainName} is read as the whole policy, includes name other keys
     * (relative to the root); {@code legacyDir} (a key prefix, or {@code null}) feeds {@code !compat-4.0}.
     */
    static CompiledPolicy fromMemory(String mainName, Map<String, String> files, String legacyDir) {
        PolicyReader reader = new PolicyReader(new MemoryFiles(files), legacyDir);
        reader.readMainFile(mainName, "");
        return new CompiledPolicy(reader.rules(), reader.errors());
    }
}
