package io.bulkhead.core.domains.internal.storage;

import io.bulkhead.core.domains.QubesVolumeRevisionNotFoundError;
import io.bulkhead.core.domains.StoragePoolException;
import io.bulkhead.core.domains.hal.DiskFormat;
import io.bulkhead.core.domains.storage.ActiveVolume;
import io.bulkhead.core.domains.storage.Pool;
import io.bulkhead.core.domains.storage.Revision;
import io.bulkhead.core.domains.storage.VolumeConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pool of plain files under {@code dir_path}. For a volume with vid {@code V}:
 * <ul>
 * <li>{@code V.img}: committed image (raw, sparse) of origin volumes; the fresh image of volatile ones;</li>
 * <li>{@code V-dirty.qcow2}: running overlay of an origin volume, backed by {@code V.img};</li>
 * <li>{@code V-snap.qcow2}: running overlay of a snapshot volume, backed by the source's {@code .img};</li>
 * <li>{@code V.img.N}: revision N (higher = newer);</li>
 * <li>{@code V.running}: marker while started, holding the file key of the snapshot source.</li>
 * </ul>
 * Commit at stop never writes into an image a running snapshot may read: the committed image is
 * copied (reflink where possible), the overlay committed into the copy, and the copy renamed in
 * place; the old inode lives on as a revision (or until its readers close it).
 */
final class FilePool implements Pool {

    private final String name;
    private final Path dir;
    private final int defaultRevisions;
    private final Map<String, String> config;
    private final QemuImg qemuImg;

    FilePool(String name, Path dir, int defaultRevisions, Map<String, String> config, QemuImg qemuImg) {
        this.name = name;
        this.dir = dir;
        this.defaultRevisions = defaultRevisions;
        this.config = Map.copyOf(config);
        this.qemuImg = qemuImg;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String driver() {
        return FilePoolDriver.NAME;
    }

    @Override
    public Map<String, String> config() {
        return config;
    }

    @Override
    public int defaultRevisionsToKeep() {
        return defaultRevisions;
    }

    private Path base(String vid) {
        if (vid.isEmpty() || vid.contains("..") || vid.startsWith("/")) {
            throw new StoragePoolException("pool " + name + ": invalid vid '" + vid + "'");
        }
        return dir.resolve(vid);
    }

    private Path image(String vid) {
        return withSuffix(base(vid), ".img");
    }

    private Path dirty(String vid) {
        return withSuffix(base(vid), "-dirty.qcow2");
    }

    private Path snap(String vid) {
        return withSuffix(base(vid), "-snap.qcow2");
    }

    private Path marker(String vid) {
        return withSuffix(base(vid), ".running");
    }

    private static Path withSuffix(Path p, String suffix) {
        return p.resolveSibling(p.getFileName().toString() + suffix);
    }

    private int revisionsToKeep(VolumeConfig v) {
        if (!v.saveOnStop()) {
            return 0;
        }
        return v.revisionsToKeep().orElse(defaultRevisions);
    }

    private StoragePoolException fail(VolumeConfig v, String what, Exception e) {
        return new StoragePoolException("pool " + name + ", volume " + v.vid() + ": cannot " + what + ": " + e);
    }

    @Override
    public void create(VolumeConfig volume) {
        if (!volume.saveOnStop()) {
            return; // snapshot and volatile volumes exist only while running
        }
        Path img = image(volume.vid());
        try {
            Files.createDirectories(img.getParent());
            if (Files.exists(img) || Files.exists(dirty(volume.vid())) || !revisionFiles(volume.vid()).isEmpty()) {
                moveAsideOrphans(volume.vid());
            }
            createSparse(img, volume.size());
        } catch (IOException e) {
            throw fail(volume, "create " + img, e);
        }
    }

    /**
     * Files of a vid no qube owns are left over from a crash between creating the files and saving
     * the store (or between saving a removal and deleting them). They are kept, renamed with an
     * {@code .orphaned-<millis>} suffix, so a new volume never inherits their data or revisions.
     */
    private void moveAsideOrphans(String vid) throws IOException {
        String suffix = ".orphaned-" + System.currentTimeMillis();
        List<Path> files = new ArrayList<>(revisionFiles(vid));
        files.add(image(vid));
        files.add(dirty(vid));
        files.add(snap(vid));
        files.add(marker(vid));
        for (Path p : files) {
            if (Files.exists(p)) {
                Files.move(p, withSuffix(p, suffix));
            }
        }
    }

    private static void createSparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    @Override
    public void remove(VolumeConfig volume) {
        try {
            Files.deleteIfExists(image(volume.vid()));
            Files.deleteIfExists(dirty(volume.vid()));
            Files.deleteIfExists(snap(volume.vid()));
            Files.deleteIfExists(marker(volume.vid()));
            for (Path rev : revisionFiles(volume.vid())) {
                Files.deleteIfExists(rev);
            }
            Path parent = base(volume.vid()).getParent();
            if (parent != null && !parent.equals(dir) && Files.isDirectory(parent)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
                    if (!ds.iterator().hasNext()) {
                        Files.delete(parent);
                    }
                }
            }
        } catch (IOException e) {
            throw fail(volume, "remove", e);
        }
    }

    @Override
    public Optional<ActiveVolume> start(VolumeConfig volume) {
        String vid = volume.vid();
        try {
            Files.createDirectories(base(vid).getParent());
            if (volume.snapOnStart()) {
                Path source = image(volume.source().orElseThrow());
                if (!Files.exists(source)) {
                    throw new StoragePoolException("pool " + name + ": source volume " + volume.source().get()
                            + " of " + vid + " does not exist (" + source + ")");
                }
                Path overlay = snap(vid);
                Files.deleteIfExists(overlay);
                qemuImg.createOverlay(overlay, source, "raw");
                writeMarker(vid, fileKey(source));
                return Optional.of(new ActiveVolume(overlay, DiskFormat.QCOW2, Optional.of(source)));
            }
            if (volume.saveOnStop()) {
                Path img = image(vid);
                if (!Files.exists(img)) {
                    throw new StoragePoolException("pool " + name + ": volume " + vid + " does not exist (" + img + ")");
                }
                if (revisionsToKeep(volume) < 0) {
                    writeMarker(vid, "");
                    return Optional.of(new ActiveVolume(img, DiskFormat.RAW, Optional.empty()));
                }
                Path overlay = dirty(vid);
                Files.deleteIfExists(overlay);
                qemuImg.createOverlay(overlay, img, "raw");
                writeMarker(vid, "");
                return Optional.of(new ActiveVolume(overlay, DiskFormat.QCOW2, Optional.of(img)));
            }
            Path img = image(vid);
            Files.deleteIfExists(img);
            createSparse(img, volume.size());
            writeMarker(vid, "");
            return Optional.of(new ActiveVolume(img, DiskFormat.RAW, Optional.empty()));
        } catch (IOException e) {
            throw fail(volume, "start", e);
        }
    }

    private void writeMarker(String vid, String content) throws IOException {
        Files.writeString(marker(vid), content, StandardCharsets.UTF_8);
    }

    private static String fileKey(Path p) throws IOException {
        Object key = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        return key == null ? Files.getLastModifiedTime(p).toString() : key.toString();
    }

    @Override
    public void stop(VolumeConfig volume) {
        String vid = volume.vid();
        try {
            if (volume.snapOnStart()) {
                Files.deleteIfExists(snap(vid));
            } else if (volume.saveOnStop()) {
                Path overlay = dirty(vid);
                if (Files.exists(overlay)) {
                    commit(volume, overlay);
                }
            } else {
                Files.deleteIfExists(image(vid));
            }
            Files.deleteIfExists(marker(vid));
        } catch (IOException e) {
            throw fail(volume, "stop", e);
        }
    }

    private void commit(VolumeConfig volume, Path overlay) throws IOException {
        String vid = volume.vid();
        Path img = image(vid);
        Path next = withSuffix(img, ".new");
        Files.deleteIfExists(next);
        QemuImg.sparseCopy(img, next);
        qemuImg.rebaseUnsafe(overlay, next, "raw");
        qemuImg.commit(overlay);
        int keep = revisionsToKeep(volume);
        if (keep > 0) {
            int number = revisionFiles(vid).stream().mapToInt(this::revisionNumber).max().orElse(0) + 1;
            Files.move(img, withSuffix(img, "." + number), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(next, img, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(overlay);
        prune(vid, keep);
    }

    private void prune(String vid, int keep) throws IOException {
        List<Path> revs = revisionFiles(vid);
        revs.sort(Comparator.comparingInt(this::revisionNumber));
        for (int i = 0; i < revs.size() - Math.max(keep, 0); i++) {
            Files.deleteIfExists(revs.get(i));
        }
    }

    private List<Path> revisionFiles(String vid) throws IOException {
        Path img = image(vid);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(img.getParent())) {
            return out;
        }
        String prefix = img.getFileName().toString() + ".";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(img.getParent())) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.substring(prefix.length()).matches("[0-9]{1,9}")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private int revisionNumber(Path p) {
        String n = p.getFileName().toString();
        return Integer.parseInt(n.substring(n.lastIndexOf('.') + 1));
    }

    @Override
    public boolean isRunning(VolumeConfig volume) {
        return Files.exists(marker(volume.vid()));
    }

    @Override
    public void verify(VolumeConfig volume) {
        if (volume.snapOnStart()) {
            Path source = image(volume.source().orElseThrow());
            if (!Files.exists(source)) {
                throw new StoragePoolException("pool " + name + ": volume " + volume.vid() + " needs source "
                        + volume.source().get() + ", but " + source + " does not exist");
            }
        } else if (volume.saveOnStop() && !Files.exists(image(volume.vid()))) {
            throw new StoragePoolException("pool " + name + ": volume " + volume.vid() + " is missing (" + image(volume.vid()) + ")");
        }
    }

    @Override
    public List<Revision> revisions(VolumeConfig volume) {
        try {
            List<Path> revs = revisionFiles(volume.vid());
            revs.sort(Comparator.comparingInt(this::revisionNumber));
            List<Revision> out = new ArrayList<>();
            for (Path p : revs) {
                out.add(new Revision(Integer.toString(revisionNumber(p)), Files.getLastModifiedTime(p).toInstant()));
            }
            return out;
        } catch (IOException e) {
            throw fail(volume, "list revisions", e);
        }
    }

    @Override
    public void revert(VolumeConfig volume, String revisionId) {
        if (isRunning(volume)) {
            throw new StoragePoolException("pool " + name + ": cannot revert volume " + volume.vid() + " while it is in use");
        }
        Path rev = withSuffix(image(volume.vid()), "." + revisionId);
        if (!revisionId.matches("[0-9]{1,9}") || !Files.exists(rev)) {
            throw new QubesVolumeRevisionNotFoundError("Volume " + volume.vid() + " has no revision '" + revisionId + "'");
        }
        try {
            Files.move(rev, image(volume.vid()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw fail(volume, "revert to revision " + revisionId, e);
        }
    }

    @Override
    public long importData(VolumeConfig volume, Path source) {
        if (!volume.saveOnStop()) {
            throw new StoragePoolException("pool " + name + ": volume " + volume.vid() + " is not persistent; nothing to import into");
        }
        if (isRunning(volume)) {
            throw new StoragePoolException("pool " + name + ": cannot import into volume " + volume.vid() + " while it is in use");
        }
        String vid = volume.vid();
        Path img = image(vid);
        Path next = withSuffix(img, ".import");
        try {
            Files.createDirectories(img.getParent());
            Files.deleteIfExists(next);
            QemuImg.sparseCopy(source, next);
            long size = Math.max(volume.size(), Files.size(next));
            try (RandomAccessFile f = new RandomAccessFile(next.toFile(), "rw")) {
                f.setLength(size);
                f.getFD().sync();
            }
            int keep = revisionsToKeep(volume);
            if (keep > 0 && Files.exists(img)) {
                int number = revisionFiles(vid).stream().mapToInt(this::revisionNumber).max().orElse(0) + 1;
                Files.move(img, withSuffix(img, "." + number), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(next, img, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            prune(vid, keep);
            return size;
        } catch (IOException e) {
            throw fail(volume, "import " + source, e);
        }
    }

    @Override
    public void resize(VolumeConfig volume, long newSize) {
        if (newSize < volume.size()) {
            throw new StoragePoolException("pool " + name + ": shrinking volume " + volume.vid() + " from "
                    + volume.size() + " to " + newSize + " bytes is not allowed");
        }
        if (!volume.saveOnStop()) {
            return; // takes effect at next start
        }
        if (isRunning(volume)) {
            throw new StoragePoolException("pool " + name + ": resizing volume " + volume.vid() + " of a running qube is not supported");
        }
        try (RandomAccessFile f = new RandomAccessFile(image(volume.vid()).toFile(), "rw")) {
            f.setLength(newSize);
        } catch (IOException e) {
            throw fail(volume, "resize", e);
        }
    }

    @Override
    public long usage(VolumeConfig volume) {
        try {
            Path p = image(volume.vid());
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public boolean isOutdated(VolumeConfig volume) {
        if (!volume.snapOnStart() || !isRunning(volume)) {
            return false;
        }
        try {
            String recorded = Files.readString(marker(volume.vid()), StandardCharsets.UTF_8);
            return !recorded.equals(fileKey(image(volume.source().orElseThrow())));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Optional<String> path(VolumeConfig volume) {
        return Optional.of(image(volume.vid()).toString());
    }
}
