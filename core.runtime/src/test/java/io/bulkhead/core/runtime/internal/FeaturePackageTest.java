package io.bulkhead.core.runtime.internal;

import static io.bulkhead.core.runtime.internal.TestJars.bundle;
import static io.bulkhead.core.runtime.internal.TestJars.text;
import static io.bulkhead.core.runtime.internal.TestJars.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturePackageTest {

    @TempDir
    Path dir;

    private Map<String, byte[]> valid() throws Exception {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("feature.json", text("{\"name\":\"tor\",\"version\":\"1.2\",\"description\":\"Tor gateway\"}"));
        e.put("bundles/b-second.jar", bundle("io.example.second", "2.0.0"));
        e.put("bundles/a-first.jar", bundle("io.example.first", null));
        e.put("config/io.example.first.cfg", text("port = 9050\n# comment\nname=gw\n"));
        e.put("config/io.example.factory-gw1.cfg", text("x=1\n"));
        return e;
    }

    @Test
    void readsDescriptorBundlesInNameOrderAndConfigurations() throws Exception {
        FeaturePackage f = FeaturePackage.read(zip(dir.resolve("tor.bfp"), valid()));
        assertEquals("tor", f.name());
        assertEquals("1.2", f.version());
        assertEquals("Tor gateway", f.description());
        assertEquals(List.of("bundles/a-first.jar", "bundles/b-second.jar"), f.bundles().stream().map(FeaturePackage.BundleEntry::entry).toList());
        assertEquals("io.example.first 0.0.0", f.bundles().get(0).identity().toString());
        assertEquals("io.example.second 2.0.0", f.bundles().get(1).identity().toString());
        FeaturePackage.ConfigEntry factory = f.configs().get(0);
        assertEquals("io.example.factory", factory.factoryPid());
        assertEquals("gw1", factory.factoryName());
        assertNull(factory.pid());
        FeaturePackage.ConfigEntry single = f.configs().get(1);
        assertEquals("io.example.first", single.pid());
        assertEquals(Map.of("port", "9050", "name", "gw"), single.properties());
    }

    private String error(Map<String, byte[]> entries) throws Exception {
        Path file = zip(dir.resolve("bad.bfp"), entries);
        return assertThrows(IllegalArgumentException.class, () -> FeaturePackage.read(file)).getMessage();
    }

    @Test
    void missingDescriptorIsNamed() throws Exception {
        Map<String, byte[]> e = valid();
        e.remove("feature.json");
        assertTrue(error(e).contains("bad.bfp has no feature.json"), error(e));
    }

    @Test
    void invalidJsonAndBadNameAreNamed() throws Exception {
        Map<String, byte[]> e = valid();
        e.put("feature.json", text("{name:"));
        assertTrue(error(e).contains("feature.json is not valid JSON"), error(e));
        e.put("feature.json", text("{\"name\":\"../evil\"}"));
        assertTrue(error(e).contains("needs a \"name\""), error(e));
    }

    @Test
    void unexpectedEntriesAndNestedPathsAreRefused() throws Exception {
        Map<String, byte[]> e = valid();
        e.put("../../etc/passwd", text("x"));
        assertTrue(error(e).contains("contains '../../etc/passwd'"), error(e));
        Map<String, byte[]> nested = valid();
        nested.put("bundles/sub/x.jar", bundle("io.x", "1"));
        assertTrue(error(nested).contains("bundles/sub/x.jar"), error(nested));
    }

    @Test
    void jarWithoutSymbolicNameOrDuplicateBundleIsRefused() throws Exception {
        Map<String, byte[]> e = valid();
        e.put("bundles/c.jar", bundle(null, "1.0"));
        assertTrue(error(e).contains("bundles/c.jar has no Bundle-SymbolicName"), error(e));
        Map<String, byte[]> dup = valid();
        dup.put("bundles/c.jar", bundle("io.example.first", "3.0"));
        assertTrue(error(dup).contains("contains bundle io.example.first twice"), error(dup));
    }

    @Test
    void noBundlesOrBadConfigNameIsRefused() throws Exception {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("feature.json", text("{\"name\":\"empty\"}"));
        assertTrue(error(e).contains("contains no bundles"), error(e));
        Map<String, byte[]> badCfg = valid();
        badCfg.put("config/-x.cfg", text("a=b"));
        assertTrue(error(badCfg).contains("PID.cfg or FACTORYPID-NAME.cfg"), error(badCfg));
    }

    @Test
    void notAZipIsNamed() throws Exception {
        Path file = dir.resolve("junk.bfp");
        Files.writeString(file, "this is not a zip");
        String message = assertThrows(IllegalArgumentException.class, () -> FeaturePackage.read(file)).getMessage();
        assertTrue(message.startsWith("junk.bfp"), message);
    }
}
