package io.bulkhead.core.domains.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.internal.DomainsServiceImpl;
import io.bulkhead.core.policy.QubeInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSystemViewTest {

    @TempDir
    Path dir;

    @Test
    void mirrorsTheModelAndRefreshesAfterChanges() {
        try (DomainsServiceImpl s = new DomainsServiceImpl(dir, "qubes.xml", "kvm", "qemu-img", (m, e) -> { })) {
            ModelSystemView view = new ModelSystemView(s);
            s.addListener(view, 0, 1, List.of());
            s.create(QubeClass.TEMPLATE_VM, "fedora", "black", Map.of());
            s.create(QubeClass.APP_VM, "dvm", "red", Map.of("template", "fedora", "template_for_dispvms", "True"));
            s.create(QubeClass.APP_VM, "work", "blue", Map.of("template", "fedora", "default_dispvm", "dvm"));

            QubeInfo dom0 = view.byName("dom0").orElseThrow();
            assertEquals("AdminVM", dom0.type());
            assertEquals("00000000-0000-0000-0000-000000000000", dom0.uuid());
            assertTrue(dom0.isRunning());
            QubeInfo work = view.byName("work").orElseThrow();
            assertEquals("AppVM", work.type());
            assertEquals("dvm", work.defaultDispvm());
            assertEquals("Halted", work.powerState());
            assertTrue(view.byName("dvm").orElseThrow().templateForDispvms());
            assertEquals(work, view.byUuid(s.get("work").uuid().toString()).orElseThrow());
            assertEquals(4, view.qubes().size());

            s.addTag("work", "secret");
            s.setFeature("work", "internal", "1");
            QubeInfo tagged = view.byName("work").orElseThrow();
            assertEquals(Set.of("secret"), tagged.tags());
            assertTrue(tagged.internal());
            s.remove("work");
            assertFalse(view.byName("work").isPresent());
        }
    }
}
