package io.bulkhead.hal.xen.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a machine needs before this backend can run a domain: an xl executable and the Xen
 * privileged-command device of dom0. Checked when a qube starts (never at activation), so that
 * selecting the backend on a machine without Xen only fails the start, with a message saying
 * what is missing.
 *
 * @param xlSetting           the configured xl: a name looked up on PATH, or a path
 * @param xenDeviceDirectory  {@code /dev/xen}
 * @param searchPath          the PATH value used to look xl up
 */
record XenHost(String xlSetting, Path xenDeviceDirectory, String searchPath) {

    static final String INSTALL_HINT = "install the Xen toolstack (Debian: apt-get install xen-system-amd64) and boot "
            + "this system as Xen dom0, or select another hypervisor backend";

    /** @return the xl executable, if it can be found */
    Optional<Path> locateXl() {
        if (xlSetting.contains("/")) {
            Path binary = Path.of(xlSetting);
            return Files.isExecutable(binary) && !Files.isDirectory(binary) ? Optional.of(binary) : Optional.empty();
        }
        String path = searchPath == null || searchPath.isEmpty() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                : searchPath;
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, xlSetting);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** @return the privcmd device node that exists in dom0 only */
    Path privcmd() {
        return xenDeviceDirectory.resolve("privcmd");
    }

    /** @return one sentence per missing piece; empty when xl can manage domains here */
    List<String> missingForDomains() {
        List<String> missing = new ArrayList<>();
        if (locateXl().isEmpty()) {
            missing.add(xlSetting.contains("/") ? "xl not found: " + xlSetting + " is not an executable file"
                    : "xl not found on PATH (" + (searchPath == null ? "" : searchPath) + ")");
        }
        if (!Files.exists(privcmd())) {
            missing.add(privcmd() + " missing: not running under Xen dom0");
        }
        return missing;
    }

    /** @return whether xl can be asked about domains (xl present, running in dom0) */
    boolean usable() {
        return missingForDomains().isEmpty();
    }
}
