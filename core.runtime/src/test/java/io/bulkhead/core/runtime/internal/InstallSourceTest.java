package io.bulkhead.core.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallSourceTest {

    @TempDir
    Path dir;

    @Test
    void absolutePathAndFileUrlNameTheFile() throws Exception {
        Path jar = Files.writeString(dir.resolve("tagger-1.0.jar"), "content");
        InstallSource fromPath = InstallSource.parse(jar.toString());
        assertEquals("tagger-1.0.jar", fromPath.name());
        try (InputStream in = fromPath.open()) {
            assertEquals("content", new String(in.readAllBytes()));
        }
        assertEquals("tagger-1.0.jar", InstallSource.parse(jar.toUri().toString()).name());
        assertEquals("tor.bfp", InstallSource.parse("https://example.org/features/tor.bfp").name());
    }

    @Test
    void relativePathsOtherSchemesAndOtherKindsAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InstallSource.parse("x.jar")).getMessage()
                .contains("absolute path or a file:, http: or https: URL"));
        assertThrows(IllegalArgumentException.class, () -> InstallSource.parse("ftp://host/x.jar"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InstallSource.parse("/tmp/evil.sh")).getMessage()
                .contains("neither a bundle (.jar) nor a feature package (.bfp)"));
        assertThrows(IllegalArgumentException.class, () -> InstallSource.parse("/tmp/.hidden.jar"));
        assertThrows(IllegalArgumentException.class, () -> InstallSource.parse("https://example.org/dir/"));
        assertThrows(IllegalArgumentException.class, () -> InstallSource.parse("  "));
    }

    @Test
    void missingFileIsNamedWhenOpened() {
        InstallSource s = InstallSource.parse(dir.resolve("absent.jar").toString());
        assertTrue(assertThrows(java.io.IOException.class, s::open).getMessage().contains("absent.jar"));
    }
}
