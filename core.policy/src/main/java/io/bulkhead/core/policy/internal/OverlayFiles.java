package io.bulkhead.core.policy.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real files with pending changes applied: a path mapped to text is written, a path mapped to
 * {@code null} is removed. Used to validate an admin change before it touches the disk.
 */
final class OverlayFiles implements PolicyFiles {
    private final PolicyFiles base;
    private final Map<String, String> changes;

    /** {@code changes}: normalised paths (as {@link #join} builds them) to content or {@code null}. */
    OverlayFiles(PolicyFiles base, Map<String, String> changes) {
        this.base = base;
        this.changes = changes;
    }

    @Override
    public Kind kind(String path) {
        if (changes.containsKey(path)) {
            return changes.get(path) == null ? Kind.MISSING : Kind.FILE;
        }
        Kind kind = base.kind(path);
        if (kind == Kind.MISSING) {
            String prefix = path + "/";
            for (Map.Entry<String, String> change : changes.entrySet()) {
                if (change.getValue() != null && change.getKey().startsWith(prefix)) {
                    return Kind.DIRECTORY; // a directory the change would create
                }
            }
        }
        return kind;
    }

    @Override
    public List<String> list(String directory) throws IOException {
        List<String> names = base.kind(directory) == Kind.DIRECTORY ? base.list(directory) : new ArrayList<>();
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String path = change.getKey();
            int slash = path.lastIndexOf('/');
            String parent = slash < 0 ? "" : path.substring(0, slash);
            String name = path.substring(slash + 1);
            if (!parent.equals(directory)) {
                continue;
            }
            if (change.getValue() == null) {
                names.remove(name);
            } else if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    @Override
    public byte[] read(String path) throws IOException {
        if (changes.containsKey(path)) {
            String content = changes.get(path);
            if (content == null) {
                throw new NoSuchFileException(path);
            }
            return content.getBytes(StandardCharsets.UTF_8);
        }
        return base.read(path);
    }

    @Override
    public String join(String base, String relative) {
        return this.base.join(base, relative);
    }

    @Override
    public String identity(String path) {
        return changes.containsKey(path) ? path : base.identity(path);
    }
}
