package io.bulkhead.core.domains.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubesPropertyValueError;
import io.bulkhead.core.domains.QubesStoreException;
import io.bulkhead.core.domains.event.QubesEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("qubes.xml");
    }

    @Test
    void everySaveKeepsThePreviousVersion() throws Exception {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            s.create(QubeClass.TEMPLATE_VM, "fedora", "black", Map.of());
            byte[] before = Files.readAllBytes(file());
            s.setProperty("fedora", "memory", "1234");
            assertArrayEquals(before, Files.readAllBytes(dir.resolve("qubes.xml.prev")));
            assertTrue(Files.readString(file()).contains(">1234<"));
            assertFalse(Files.exists(dir.resolve("qubes.xml.tmp")), "no temporary file left behind");
        }
    }

    @Test
    void failedCallIsRolledBackAndNotPersisted() throws Exception {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            TestSupport.standardQubes(s);
            byte[] before = Files.readAllBytes(file());
            assertThrows(QubesPropertyValueError.class, () -> s.setProperty("sys-net", "netvm", "sys-firewall"));
            assertArrayEquals(before, Files.readAllBytes(file()));
            s.addListener(e -> {
                if (e.name().equals("domain-add")) {
                    throw new IllegalStateException("no more qubes today");
                }
            }, 0, 1, java.util.List.of());
            // domain-add is not a pre-event: the failure is logged, the creation stands
            s.create(QubeClass.APP_VM, "ok", "red", Map.of());
            assertTrue(Files.readString(file()).contains("\"ok\"") || Files.readString(file()).contains(">ok<"));
        }
    }

    @Test
    void corruptFileIsReportedWithLocationAndNeverOverwritten() throws Exception {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            s.create(QubeClass.TEMPLATE_VM, "fedora", "black", Map.of());
        }
        String good = Files.readString(file());
        String broken = good.replace("<domains>", "<domains><domain id=\"x\"");
        Files.writeString(file(), broken);
        QubesStoreException e = assertThrows(QubesStoreException.class, () -> TestSupport.open(dir));
        assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*line \\d+, column \\d+.*"), e.getMessage());
        assertTrue(e.getMessage().contains("qubes.xml.prev"), e.getMessage());
        assertEquals("QubesException", e.qubesClass());
        assertEquals(broken, Files.readString(file()), "the corrupt file is left as it was");
        // the lock was released by the failed open: fixing the file makes it usable again
        Files.writeString(file(), good);
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            assertTrue(s.find("fedora").isPresent());
        }
    }

    @Test
    void semanticErrorsNameTheDomainAndProperty() throws Exception {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            s.create(QubeClass.TEMPLATE_VM, "fedora", "black", Map.of());
            s.setProperty("fedora", "memory", "500");
        }
        String good = Files.readString(file());
        Files.writeString(file(), good.replace(">500<", ">lots<"));
        QubesStoreException e = assertThrows(QubesStoreException.class, () -> TestSupport.open(dir));
        assertTrue(e.getMessage().contains("'fedora'") && e.getMessage().contains("memory"), e.getMessage());
        Files.writeString(file(), good.replace("class=\"TemplateVM\"", "class=\"HyperVM\""));
        e = assertThrows(QubesStoreException.class, () -> TestSupport.open(dir));
        assertTrue(e.getMessage().contains("HyperVM"), e.getMessage());
        Files.writeString(file(), "");
        e = assertThrows(QubesStoreException.class, () -> TestSupport.open(dir));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void missingFileWithPreviousVersionIsNotSilentlyRecreated() throws Exception {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            s.create(QubeClass.TEMPLATE_VM, "fedora", "black", Map.of());
        }
        Files.delete(file());
        QubesStoreException e = assertThrows(QubesStoreException.class, () -> TestSupport.open(dir));
        assertTrue(e.getMessage().contains("qubes.xml.prev"), e.getMessage());
        assertFalse(Files.exists(file()));
    }

    @Test
    void oneWriterAtATime() {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            QubesStoreException e = assertThrows(QubesStoreException.class, () -> TestSupport.open(dir));
            assertTrue(e.getMessage().contains("already open") || e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void roundTripKeepsPoolParametersEmptyReferencesAndUnicodeFreeValues() throws Exception {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            TestSupport.standardQubes(s);
            s.setProperty("work", "kernelopts", "a <b> & \"c\"\nsecond line");
            s.setFeature("work", "gui-x", "<&>");
        }
        String xml = Files.readString(file(), StandardCharsets.UTF_8);
        assertTrue(xml.contains("dir_path=\"" + dir.toAbsolutePath() + "\""), xml);
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            assertEquals("a <b> & \"c\"\nsecond line", s.getProperty("work", "kernelopts").value());
            assertEquals("<&>", s.feature("work", "gui-x"));
            assertEquals("", s.getProperty("sys-net", "netvm").value());
            assertFalse(s.getProperty("sys-net", "netvm").isDefault(), "an explicit None survives the round trip");
        }
    }

    @Test
    void vetoedMutationLeavesStoreUntouched() throws Exception {
        try (DomainsServiceImpl s = TestSupport.open(dir)) {
            TestSupport.standardQubes(s);
            s.addListener((QubesEvent e) -> {
                if (e.name().equals("property-pre-set:memory")) {
                    throw new IllegalArgumentException("memory is frozen");
                }
            }, 0, 1, java.util.List.of("property-pre-set:*"));
            byte[] before = Files.readAllBytes(file());
            io.bulkhead.core.domains.QubesException e = assertThrows(io.bulkhead.core.domains.QubesException.class,
                    () -> s.setProperty("work", "memory", "999"));
            assertEquals("memory is frozen", e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file()));
            assertEquals("400", s.getProperty("work", "memory").value());
        }
    }
}
