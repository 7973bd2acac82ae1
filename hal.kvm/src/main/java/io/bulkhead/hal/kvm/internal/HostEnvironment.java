package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.HypervisorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Facts about the host that the backend needs: QEMU binary, root or not, users, TSC frequency. */
final class HostEnvironment {

    static final String INSTALL_HINT = "install it with `apt-get install qemu-system-x86` "
            + "(or run scripts/install-deps.sh as root)";

    private static final Pattern CPU_MHZ = Pattern.compile("(?m)^cpu MHz\\s*:\\s*([0-9]+(?:\\.[0-9]+)?)");

    private HostEnvironment() {
    }

    /**
     * Finds the QEMU executable: {@code configured} itself when it contains a slash, else the first
     * match on {@code searchPath} (the PATH variable's value).
     *
     * @throws HypervisorException naming the install command when QEMU is missing
     */
    static Path locateQemu(String configured, String searchPath) {
        if (configured.contains("/")) {
            Path binary = Path.of(configured);
            if (!Files.isExecutable(binary)) {
                throw new HypervisorException(null, "QEMU is not installed: " + binary + " is not an executable file; "
                        + INSTALL_HINT);
            }
            return binary;
        }
        String path = searchPath == null || searchPath.isEmpty() ? "/usr/local/bin:/usr/bin:/bin" : searchPath;
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, configured);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new HypervisorException(null, "QEMU is not installed: no executable '" + configured + "' on PATH ("
                + path + "); " + INSTALL_HINT);
    }

    /** @return whether this JVM runs with uid 0 (then QEMU is told to drop to an unprivileged user) */
    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            return false;
        }
    }

    /** @return whether a local user of that name exists */
    static boolean userExists(String user) {
        try {
            Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates {@code directory} (and parents) if needed and makes it 0700, owned by {@code owner} if given. */
    static void prepareRunDirectory(Path directory, Optional<String> owner) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        if (owner.isPresent()) {
            chown(directory, owner.get());
        }
    }

    /**
     * Checks that {@code user} can reach {@code directory}: after {@code -runas}, QEMU creates and
     * connects sockets there (snapshots, restores, network links), so every ancestor must be
     * searchable by it (others-execute, or owned by it).
     *
     * @throws IllegalArgumentException naming the first ancestor that blocks the way
     */
    static void checkReachableBy(Path directory, String user) throws IOException {
        for (Path ancestor = directory.toAbsolutePath().getParent(); ancestor != null; ancestor = ancestor.getParent()) {
            PosixFileAttributeView view = Files.getFileAttributeView(ancestor, PosixFileAttributeView.class);
            var attributes = view.readAttributes();
            boolean searchable = attributes.permissions().contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)
                    || attributes.owner().getName().equals(user);
            if (!searchable) {
                throw new IllegalArgumentException("QEMU runs as '" + user + "' but cannot reach " + directory + ": "
                        + ancestor + " is mode " + PosixFilePermissions.toString(attributes.permissions())
                        + " (owner " + attributes.owner().getName() + "); give it o+x or use another run directory");
            }
        }
    }

    /** Gives {@code file} to {@code user} (and that user's primary group of the same name, if any). */
    static void chown(Path file, String user) throws IOException {
        UserPrincipalLookupService lookup = file.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        view.setOwner(owner);
        try {
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
            view.setGroup(group);
        } catch (UserPrincipalNotFoundException e) {
            // no group of that name: the owner alone gives QEMU access (directory mode is 0700)
        }
    }

    /** Host TSC frequency in kHz from {@code /proc/cpuinfo}'s first "cpu MHz" line. */
    static OptionalLong tscKhz(String cpuinfo) {
        Matcher m = CPU_MHZ.matcher(cpuinfo);
        if (!m.find()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(Double.parseDouble(m.group(1)) * 1000));
    }

    static OptionalLong tscKhz() {
        try {
            return tscKhz(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** @return the last {@code count} lines of a text file; empty if it cannot be read */
    static List<String> tail(Path file, int count) {
        try {
            List<String> lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
            return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } catch (IOException e) {
            return List.of();
        }
    }
}
