package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyAdminException;
import io.bulkhead.core.policy.PolicyAdminException.Reason;
import io.bulkhead.core.policy.PolicyFile;
import io.bulkhead.core.policy.RuleLocation;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@link PolicyAdmin} over one directory, after Qubes' {@code qrexec.policy.admin}.
 *
 * <p>Deviation (reference d.4): Qubes accepts upper-case names for {@code policy.Replace}
 * although its loader then rejects the file and with it the whole policy; here policy-file
 * names must be lower case, and validation applies the loader's file-name rule to the candidate.
 */
public final class DirectoryPolicyAdmin implements PolicyAdmin {
    private static final Pattern POLICY_NAME = Pattern.compile("[a-z0-9_-]+");
    private static final Pattern INCLUDE_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final String LOCK_FILE = ".policy-admin.lock";

    private final Path directory;
    private final Path includeDirectory;
    private final Path legacyDir;
    private final Runnable afterChange;

    /** {@code afterChange} runs after every successful write, e.g. to reload the live policy. */
    public DirectoryPolicyAdmin(Path directory, Path legacyDir, Runnable afterChange) {
        this.directory = directory.toAbsolutePath().normalize();
        this.includeDirectory = this.directory.resolve("include");
        this.legacyDir = legacyDir;
        this.afterChange = afterChange;
    }

    /** {@code sha256:<hex>} of the bytes. */
    public static String tokenOf(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    @Override
    public synchronized List<String> list(Scope scope) throws PolicyAdminException {
        Path dir = scope == Scope.POLICY ? directory : includeDirectory;
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            if (scope == Scope.INCLUDE) {
                return names;
            }
            throw new PolicyAdminException(Reason.NOT_FOUND, "Not found: " + dir);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(entry)) {
                    continue;
                }
                if (scope == Scope.INCLUDE) {
                    names.add(name);
                } else if (name.endsWith(PolicyReader.SUFFIX)) {
                    names.add(name.substring(0, name.length() - PolicyReader.SUFFIX.length()));
                }
            }
        } catch (IOException e) {
            throw ioError("cannot list " + dir, e);
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public synchronized PolicyFile get(Scope scope, String name) throws PolicyAdminException {
        Path path = pathOf(scope, name);
        if (!Files.isRegularFile(path)) {
            throw new PolicyAdminException(Reason.NOT_FOUND, "Not found: " + path);
        }
        try {
            byte[] bytes = Files.readAllBytes(path);
            return new PolicyFile(name, tokenOf(bytes), new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw ioError("cannot read " + path, e);
        }
    }

    @Override
    public void replace(Scope scope, String name, String token, String content) throws PolicyAdminException {
        Path path = pathOf(scope, name);
        if (content == null) {
            throw new IllegalArgumentException("content must not be null");
        }
        synchronized (this) {
            try (DirectoryLock lock = lockDirectory()) {
                checkToken(token, path);
                validate(path, content);
                AtomicFiles.write(path, content.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw ioError("cannot write " + path, e);
            }
        }
        afterChange.run();
    }

    @Override
    public void remove(Scope scope, String name, String token) throws PolicyAdminException {
        Path path = pathOf(scope, name);
        synchronized (this) {
            try (DirectoryLock lock = lockDirectory()) {
                checkToken(token, path);
                if (!Files.isRegularFile(path)) {
                    throw new PolicyAdminException(Reason.NOT_FOUND, "Not found: " + path);
                }
                validate(path, null);
                AtomicFiles.delete(path);
            } catch (IOException e) {
                throw ioError("cannot remove " + path, e);
            }
        }
        afterChange.run();
    }

    @Override
    public synchronized List<String> filesFor(String service) throws PolicyAdminException {
        if (service == null || service.isEmpty()) {
            throw new PolicyAdminException(Reason.INVALID_NAME, "Service cannot be empty.");
        }
        if (!RuleParser.invalidCharacters(service, true).isEmpty()) {
            throw new PolicyAdminException(Reason.INVALID_NAME, "Service " + PyText.repr(service)
                    + " contains invalid characters: " + PyText.reprTuple(RuleParser.invalidCharacters(service, true)));
        }
        CompiledPolicy policy = Policies.fromDirectories(new DiskFiles(), List.of(directory), legacyDir);
        if (!policy.isValid()) {
            throw new PolicyAdminException(Reason.VALIDATION_FAILED,
                    "Policy is invalid: " + policy.errors().get(0), policy.errors(), null);
        }
        String inside = directory + "/";
        List<String> files = new ArrayList<>();
        for (RuleLocation location : policy.ruleLocationsFor(service)) {
            String file = location.file();
            String shown = file.startsWith(inside) ? stem(Path.of(file).getFileName().toString()) : file;
            if (!files.contains(shown)) {
                files.add(shown);
            }
        }
        return files;
    }

    private static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    private Path pathOf(Scope scope, String name) throws PolicyAdminException {
        Pattern allowed = scope == Scope.POLICY ? POLICY_NAME : INCLUDE_NAME;
        if (name == null || !allowed.matcher(name).matches()) {
            throw new PolicyAdminException(Reason.INVALID_NAME, "Invalid policy file name: " + name
                    + "\nNames must contain only " + (scope == Scope.POLICY ? "lower-case " : "")
                    + "alphanumeric characters, underscore and hyphen.");
        }
        Path dir = scope == Scope.POLICY ? directory : includeDirectory;
        Path path = dir.resolve(scope == Scope.POLICY ? name + PolicyReader.SUFFIX : name);
        if (Files.isSymbolicLink(path)) {
            try {
                Path real = path.toRealPath();
                if (!real.getParent().equals(dir.toRealPath())) {
                    throw new PolicyAdminException(Reason.INVALID_NAME, "Expecting a path inside " + dir);
                }
            } catch (IOException e) {
                throw new PolicyAdminException(Reason.INVALID_NAME, "Expecting a path inside " + dir);
            }
        }
        return path;
    }

    private static void checkToken(String token, Path path) throws PolicyAdminException, IOException {
        if (ANY.equals(token)) {
            return;
        }
        if (NEW.equals(token)) {
            if (Files.exists(path)) {
                throw new PolicyAdminException(Reason.TOKEN_MISMATCH, "File exists but token is 'new'");
            }
            return;
        }
        if (token == null || !token.startsWith("sha256:")) {
            throw new PolicyAdminException(Reason.INVALID_TOKEN, "Unrecognized token");
        }
        if (!Files.exists(path)) {
            throw new PolicyAdminException(Reason.TOKEN_MISMATCH, "File doesn't exist, but token isn't 'new'");
        }
        if (!tokenOf(Files.readAllBytes(path)).equals(token)) {
            throw new PolicyAdminException(Reason.TOKEN_MISMATCH, "Token mismatch");
        }
    }

    /** The directory with this one change applied must load without error. */
    private void validate(Path path, String content) throws PolicyAdminException {
        Map<String, String> change = new HashMap<>();
        change.put(path.normalize().toString(), content);
        CompiledPolicy candidate = Policies.fromDirectories(new OverlayFiles(new DiskFiles(), change),
                List.of(directory), legacyDir);
        if (!candidate.isValid()) {
            throw new PolicyAdminException(Reason.VALIDATION_FAILED,
                    "Policy change validation failed: " + candidate.errors().get(0), candidate.errors(), null);
        }
    }

    /** Serialises writers across processes too (Qubes flocks the directory). */
    private DirectoryLock lockDirectory() throws IOException {
        Files.createDirectories(directory);
        FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            return new DirectoryLock(channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** An exclusive lock on the directory's lock file, released with its channel. */
    private record DirectoryLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private static PolicyAdminException ioError(String what, IOException e) {
        return new PolicyAdminException(Reason.IO_ERROR, what + ": " + e, List.of(), e);
    }
}
