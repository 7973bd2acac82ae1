package io.bulkhead.core.runtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hot-deploy directory FileInstall watches: the single record of which extensions dom0 runs
 * (the framework cache is cleaned at each dom0 start and rebuilt from it). Files enter it only by
 * an atomic rename from a staging directory beside it, so FileInstall never sees a partial file.
 */
final class DeployDirectory {

    /** Extension file names: no path parts, no hidden files, a known kind. */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

    private final Path dir;
    private final Path staging;

    DeployDirectory(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.staging = this.dir.resolveSibling("." + this.dir.getFileName() + "-staging");
    }

    /** The directory from configuration, else FileInstall's framework property, else under the data directory. */
    static DeployDirectory of(RuntimeConfig config, org.osgi.framework.BundleContext context) {
        if (!config.deployDir().isBlank()) {
            return new DeployDirectory(Path.of(config.deployDir()));
        }
        String watched = context.getProperty("felix.fileinstall.dir");
        if (watched != null && !watched.isBlank()) {
            return new DeployDirectory(Path.of(watched));
        }
        String data = context.getProperty("bulkhead.data.dir");
        return new DeployDirectory((data != null && !data.isBlank() ? Path.of(data)
                : Path.of(System.getProperty("user.home"), ".bulkhead")).resolve("hot-deploy"));
    }

    Path path() {
        return dir;
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code name} */
    static ArtifactKind checkName(String name) {
        if (!FILE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a valid extension file name (letters, digits, . _ + -; "
                    + "no directories)");
        }
        ArtifactKind kind = ArtifactKind.of(name);
        if (kind == null) {
            throw new IllegalArgumentException("'" + name + "' is neither a bundle (.jar) nor a feature package (.bfp)");
        }
        return kind;
    }

    /** Copies {@code content} to a staging file; the caller validates it, then {@link #publish}es or deletes it. */
    Path stage(String name, InputStream content) throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(staging);
        Path tmp = Files.createTempFile(staging, name + ".", ".partial");
        try {
            Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Moves a staged file into the deploy directory under {@code name}, replacing an older one. */
    Path publish(Path staged, String name) throws IOException {
        Path target = dir.resolve(name);
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** @return the deployed extension files (bundles and feature packages), by name */
    List<Path> extensions() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> ArtifactKind.of(p.getFileName().toString()) != null)
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    /** Kinds of deployable files, by extension. */
    enum ArtifactKind {
        BUNDLE(".jar"), FEATURE_PACKAGE(".bfp");

        private final String suffix;

        ArtifactKind(String suffix) {
            this.suffix = suffix;
        }

        static ArtifactKind of(String fileName) {
            String lower = fileName.toLowerCase(Locale.ROOT);
            for (ArtifactKind k : values()) {
                if (lower.endsWith(k.suffix) && lower.length() > k.suffix.length()) {
                    return k;
                }
            }
            return null;
        }
    }
}
