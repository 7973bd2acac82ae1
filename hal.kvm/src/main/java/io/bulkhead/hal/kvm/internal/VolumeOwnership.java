package io.bulkhead.hal.kvm.internal;

import io.bulkhead.core.domains.hal.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;

/**
 * Lends a domain's writable volumes to the unprivileged QEMU user while it runs, and gives them
 * back afterwards (what libvirt's DAC driver does). QEMU opens images as root before
 * {@code -runas}, but it reopens writable images by path after an incoming migration (snapshot
 * restore), as the unprivileged user.
 */
final class VolumeOwnership {

    private record Lent(Path file, UserPrincipal owner, GroupPrincipal group) {
    }

    private final List<Lent> lent = new ArrayList<>();

    private VolumeOwnership() {
    }

    /** Nothing lent (dom0 is not root, so QEMU already runs as the volumes' owner). */
    static VolumeOwnership none() {
        return new VolumeOwnership();
    }

    /**
     * Gives every writable volume to {@code user}.
     *
     * @throws IOException naming the volume that cannot be lent; already lent ones are given back
     */
    static VolumeOwnership lend(List<VolumeSpec> volumes, String user) throws IOException {
        VolumeOwnership ownership = new VolumeOwnership();
        try {
            for (VolumeSpec volume : volumes) {
                if (volume.readOnly() || !Files.isRegularFile(volume.path())) {
                    continue; // read-only images stay opened by root; block devices keep their owner
                }
                HostEnvironment.checkReachableBy(volume.path(), user);
                PosixFileAttributes before = Files.readAttributes(volume.path(), PosixFileAttributes.class);
                HostEnvironment.chown(volume.path(), user);
                ownership.lent.add(new Lent(volume.path(), before.owner(), before.group()));
            }
            return ownership;
        } catch (IOException | IllegalArgumentException e) {
            ownership.giveBack();
            throw new IOException("cannot give the writable volumes to QEMU's user '" + user + "': " + e.getMessage(), e);
        }
    }

    /** Restores the original owners; best effort, idempotent. */
    void giveBack() {
        for (Lent volume : lent) {
            try {
                PosixFileAttributeView view = Files.getFileAttributeView(volume.file(), PosixFileAttributeView.class);
                view.setOwner(volume.owner());
                view.setGroup(volume.group());
            } catch (IOException e) {
                System.getLogger(KvmHypervisor.PID).log(System.Logger.Level.WARNING,
                        "could not give " + volume.file() + " back to " + volume.owner().getName(), e);
            }
        }
        lent.clear();
    }
}
