package io.bulkhead.core.policy.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Policy files held in memory, keyed by path ({@code main}, {@code include/x},
 * {@code legacy/qubes.Gpg}); directories exist implicitly as key prefixes, {@code ""} is the root.
 */
final class MemoryFiles implements PolicyFiles {
    private final Map<String, String> files;

    MemoryFiles(Map<String, String> files) {
        this.files = Map.copyOf(files);
    }

    @Override
    public Kind kind(String path) {
        if (files.containsKey(path)) {
            return Kind.FILE;
        }
        if (path.isEmpty()) {
            return Kind.DIRECTORY;
        }
        String prefix = path + "/";
        for (String key : files.keySet()) {
            if (key.startsWith(prefix)) {
                return Kind.DIRECTORY;
            }
        }
        return Kind.MISSING;
    }

    @Override
    public List<String> list(String directory) throws IOException {
        if (kind(directory) != Kind.DIRECTORY) {
            throw new NoSuchFileException(directory);
        }
        String prefix = directory.isEmpty() ? "" : directory + "/";
        Set<String> names = new LinkedHashSet<>();
        for (String key : files.keySet()) {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                int slash = rest.indexOf('/');
                names.add(slash < 0 ? rest : rest.substring(0, slash));
            }
        }
        return new ArrayList<>(names);
    }

    @Override
    public byte[] read(String path) throws IOException {
        String content = files.get(path);
        if (content == null) {
            throw new NoSuchFileException(path);
        }
        return content.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String join(String base, String relative) {
        boolean absolute = relative.startsWith("/");
        String joined = absolute || base.isEmpty() ? relative : base + "/" + relative;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return (joined.startsWith("/") ? "/" : "") + String.join("/", parts);
    }

    @Override
    public String identity(String path) {
        return path;
    }
}
