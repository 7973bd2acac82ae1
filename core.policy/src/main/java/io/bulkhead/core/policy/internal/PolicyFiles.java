package io.bulkhead.core.policy.internal;

import java.io.IOException;
import java.util.List;

/**
 * Where policy text is read from: real directories ({@link DiskFiles}), in-memory files
 * ({@link MemoryFiles}, for tests and {@code PolicyLoader.fromStrings}), or real directories with
 * pending admin changes applied ({@link OverlayFiles}, to validate before writing). Paths are
 * strings in the form the source uses; they are also what error messages show.
 */
interface PolicyFiles {

    /** What a path names, symlinks followed. */
    enum Kind { FILE, DIRECTORY, OTHER, MISSING }

    Kind kind(String path);

    /** Entry names of a directory. */
    List<String> list(String directory) throws IOException;

    byte[] read(String path) throws IOException;

    /** {@code relative} resolved against {@code base} (absolute paths stay absolute). */
    String join(String base, String relative);

    /** A key identifying the file itself (symlinks resolved), to detect include loops. */
    String identity(String path);

    /** The last path element. */
    default String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
