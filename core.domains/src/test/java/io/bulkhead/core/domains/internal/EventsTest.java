package io.bulkhead.core.domains.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.domains.event.PropertyEvent;
import io.bulkhead.core.domains.event.QubesEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsTest {

    @TempDir
    Path dir;
    DomainsServiceImpl s;
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void open() {
        s = TestSupport.open(dir);
        TestSupport.standardQubes(s);
    }

    @AfterEach
    void close() {
        s.close();
    }

    @Test
    void deliveredByRankingThenServiceIdAndPreBeforePost() {
        s.addListener(e -> seen.add("low-id5:" + e.name()), 0, 5, List.of("property-*"));
        s.addListener(e -> seen.add("high:" + e.name()), 100, 9, List.of("property-*"));
        s.addListener(e -> seen.add("low-id3:" + e.name()), 0, 3, List.of("property-*"));
        s.setProperty("work", "vcpus", "3");
        assertEquals(List.of(
                "high:property-pre-set:vcpus", "low-id3:property-pre-set:vcpus", "low-id5:property-pre-set:vcpus",
                "high:property-set:vcpus", "low-id3:property-set:vcpus", "low-id5:property-set:vcpus"), seen);
    }

    @Test
    void patternsFilterAndEventsCarryArguments() {
        List<QubesEvent> events = new ArrayList<>();
        s.addListener(events::add, 0, 1, List.of("domain-feature-set:service.*", "domain-tag-*"));
        s.setFeature("work", "service.cups", "1");
        s.setFeature("work", "gui", "1");
        s.addTag("work", "audit");
        s.removeTag("work", "audit");
        assertEquals(List.of("domain-feature-set:service.cups", "domain-tag-add:audit", "domain-tag-delete:audit"),
                events.stream().map(QubesEvent::name).toList());
        assertEquals(Optional.of("work"), events.get(0).subject());
        assertEquals("1", events.get(0).arguments().get("value"));
    }

    @Test
    void vetoAbortsWithTheListenersMessageAndLaterListenersDoNotRun() {
        s.addListener(e -> {
            throw new IllegalStateException("policy forbids deleting " + e.arguments().get("vm"));
        }, 10, 1, List.of("domain-pre-delete"));
        s.addListener(e -> seen.add(e.name()), 0, 2, List.of("domain-*delete"));
        QubesException e = assertThrows(QubesException.class, () -> s.remove("work"));
        assertEquals("policy forbids deleting work", e.getMessage());
        assertTrue(s.find("work").isPresent());
        assertTrue(seen.isEmpty(), seen.toString());
    }

    @Test
    void defaultsThatFollowAChangeFirePropertyReset() {
        List<PropertyEvent> resets = new ArrayList<>();
        s.addListener(e -> resets.add((PropertyEvent) e), 0, 1, List.of("property-reset:*"));
        s.setProperty("fedora", "memory", "2000");
        List<String> subjects = resets.stream().filter(r -> r.property().equals("memory"))
                .map(r -> r.subject().orElse("") + "=" + r.newValue()).sorted().toList();
        assertEquals(List.of("sys-firewall=2000", "sys-net=2000", "work=2000"), subjects);
        resets.clear();
        s.setGlobalProperty("default_netvm", "sys-net");
        assertTrue(resets.stream().anyMatch(r -> r.subject().equals(Optional.of("work")) && r.property().equals("netvm")
                && r.newValue().equals("sys-net") && r.oldValue().equals(Optional.of("sys-firewall"))), resets.toString());
    }

    @Test
    void listenerMutationsJoinTheTransaction() throws Exception {
        // like Qubes' extensions: react to an event by changing the model
        s.addListener(e -> s.setFeature(e.subject().orElseThrow(), "audited", "yes"), 0, 1, List.of("property-set:label"));
        s.setProperty("work", "label", "purple");
        assertEquals("yes", s.feature("work", "audited"));
        s.close();
        s = TestSupport.open(dir);
        assertEquals("yes", s.feature("work", "audited"), "the nested change was saved with the outer call");
    }

    @Test
    void lifecycleEventsOfCollection() {
        List<QubesEvent> events = new ArrayList<>();
        s.addListener(events::add, 0, 1, List.of("domain-add", "domain-delete"));
        s.create(QubeClass.APP_VM, "new", "red", Map.of());
        s.remove("new");
        assertEquals(List.of("domain-add", "domain-delete"), events.stream().map(QubesEvent::name).toList());
        assertEquals("new", events.get(0).arguments().get("vm"));
        assertTrue(events.get(0).subject().isEmpty(), "app-level events have no subject");
    }
}
