package io.bulkhead.core.domains.internal.store;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.ctc.wstx.stax.WstxInputFactory;
import com.ctc.wstx.stax.WstxOutputFactory;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import com.fasterxml.jackson.dataformat.xml.ser.ToXmlGenerator;
import io.bulkhead.core.domains.QubesStoreException;
import io.bulkhead.core.domains.internal.model.ModelEnv;
import io.bulkhead.core.domains.internal.model.ModelState;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The store file ({@code qubes.xml}) on disk. One writer: an exclusive lock on
 * {@code qubes.xml.lock} is held from construction to {@link #close()}. Saving is crash safe:
 * <ol>
 * <li>the current file is hard-linked (copied where links are unsupported) to
 * {@code qubes.xml.prev} through a temporary name and an atomic rename;</li>
 * <li>the new content is written to {@code qubes.xml.tmp} and fsynced;</li>
 * <li>it is renamed over {@code qubes.xml} (atomic), then the directory is fsynced.</li>
 * </ol>
 * At every instant {@code qubes.xml} is a complete old or new version. A file that does not
 * parse is reported with its location and is never overwritten by this class.
 */
public final class StoreFile implements Closeable {

    private final Path file;
    private final Path prev;
    private final Path tmp;
    private final Path prevTmp;
    private final Path dir;
    private final XmlMapper mapper;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean loadedOrFresh;

    /**
     * Opens the store and takes its lock.
     *
     * @throws QubesStoreException if the directory cannot be created or another process holds the lock
     */
    public StoreFile(Path file) {
        this.file = file.toAbsolutePath();
        this.dir = this.file.getParent();
        this.prev = sibling(".prev");
        this.tmp = sibling(".tmp");
        this.prevTmp = sibling(".prev.tmp");
        // Woodstox named explicitly: inside OSGi the StAX service lookup finds the JDK's writer,
        // which cannot indent (Stax2WriterAdapter.writeRaw is not implemented)
        this.mapper = new XmlMapper(new XmlFactory(new WstxInputFactory(), new WstxOutputFactory()));
        mapper.enable(SerializationFeature.INDENT_OUTPUT);
        mapper.enable(ToXmlGenerator.Feature.WRITE_XML_DECLARATION);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Path lockFile = sibling(".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock acquired = channel.tryLock();
            if (acquired == null) {
                throw new QubesStoreException(this.file, "store " + this.file + " is in use by another process (lock "
                        + lockFile + " is held); only one dom0 service may open it", null);
            }
            this.lockChannel = channel;
            this.lock = acquired;
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new QubesStoreException(this.file, "store " + this.file + " is already open in this JVM", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new QubesStoreException(this.file, "cannot open store " + this.file + ": " + e, e);
        } catch (QubesStoreException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private Path sibling(String suffix) {
        return dir.resolve(file.getFileName().toString() + suffix);
    }

    public Path path() {
        return file;
    }

    /**
     * Reads the store.
     *
     * @return the model, or empty when no store exists yet (a fresh installation)
     * @throws QubesStoreException when the file is unreadable, corrupt or inconsistent; the
     *                             message names the file and, for parse errors, line and column
     */
    public Optional<ModelState> load(ModelEnv env) {
        if (!Files.exists(file)) {
            if (Files.exists(prev)) {
                throw new QubesStoreException(file, "store " + file + " is missing but its previous version " + prev
                        + " exists; restore it (mv " + prev + " " + file + ") or delete it to start with an empty store", null);
            }
            loadedOrFresh = true;
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new QubesStoreException(file, "cannot read store " + file + ": " + e, e);
        }
        return Optional.of(decode(bytes, env));
    }

    /** Parses store content; errors name this file. */
    public ModelState decode(byte[] bytes, ModelEnv env) {
        if (bytes.length == 0) {
            throw corrupt("the file is empty", null);
        }
        StoreXml.Root root;
        try {
            root = mapper.readValue(bytes, StoreXml.Root.class);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw corrupt("XML error" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new QubesStoreException(file, "cannot read store " + file + ": " + e, e);
        }
        if (root == null) {
            throw corrupt("no <qubes> document", null);
        }
        try {
            ModelState state = StoreCodec.fromXml(root, env);
            loadedOrFresh = true;
            return state;
        } catch (IllegalArgumentException e) {
            throw corrupt(e.getMessage(), e);
        }
    }

    private QubesStoreException corrupt(String detail, Throwable cause) {
        return new QubesStoreException(file, "store " + file + " is corrupt: " + detail
                + ". It was left unchanged; fix it, or restore the previous version " + prev, cause);
    }

    /** Serialises a model (no I/O). */
    public byte[] encode(ModelState state) {
        try {
            return mapper.writeValueAsBytes(StoreCodec.toXml(state));
        } catch (JsonProcessingException e) {
            throw new QubesStoreException(file, "cannot serialise store: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Atomically replaces the store with {@code state}, keeping the previous version.
     *
     * @throws QubesStoreException on I/O failure (the old file is then still intact)
     * @throws IllegalStateException if the existing file was never loaded successfully
     */
    public void save(ModelState state) {
        if (!loadedOrFresh) {
            throw new IllegalStateException("refusing to overwrite store " + file + " that was not loaded successfully");
        }
        byte[] bytes = encode(state);
        try {
            if (Files.exists(file)) {
                keepPrevious();
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            moveAtomically(tmp, file);
            fsyncDirectory();
        } catch (IOException e) {
            throw new QubesStoreException(file, "cannot write store " + file + ": " + e, e);
        }
    }

    private void keepPrevious() throws IOException {
        Files.deleteIfExists(prevTmp);
        try {
            Files.createLink(prevTmp, file);
        } catch (UnsupportedOperationException | FileAlreadyExistsException | SecurityException e) {
            copyWithFsync(file, prevTmp);
        } catch (IOException e) {
            copyWithFsync(file, prevTmp); // e.g. a file system without hard links
        }
        moveAtomically(prevTmp, prev);
    }

    private static void copyWithFsync(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " does not support atomic rename", e);
        }
    }

    private void fsyncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open directories; the rename is still atomic there.
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it anyway
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing useful to do
            }
        }
    }
}
