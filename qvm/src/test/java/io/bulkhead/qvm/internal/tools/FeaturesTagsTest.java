package io.bulkhead.qvm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.Fixtures;
import io.bulkhead.qvm.testing.ToolRun;

/** qvm-features and qvm-tags. */
@Timeout(20)
class FeaturesTagsTest {
    private FakeQubesd qubesd;

    @BeforeEach
    void start() throws IOException {
        qubesd = Fixtures.standard(new FakeQubesd());
    }

    @AfterEach
    void stop() {
        qubesd.close();
    }

    @Test
    void featuresListedAsATable() {
        qubesd.ok("admin.vm.feature.List", "work", "gui\nservice.cups\nos\n")
                .ok("admin.vm.feature.Get", "gui", "work", "1")
                .ok("admin.vm.feature.Get", "service.cups", "work", "")
                .ok("admin.vm.feature.Get", "os", "work", "Linux");
        ToolRun run = ToolRun.run(qubesd, "qvm-features", "work");
        assertEquals("gui           1\nservice.cups\nos            Linux\n", run.out());
        assertEquals(List.of("admin.vm.List+ dom0", "admin.vm.feature.List+ work", "admin.vm.feature.Get+gui work",
                "admin.vm.feature.Get+service.cups work", "admin.vm.feature.Get+os work"), qubesd.calls());
    }

    @Test
    void featureGetSetAndMissing() {
        qubesd.ok("admin.vm.feature.Get", "gui", "work", "1")
                .on("admin.vm.feature.Get", "nope", "work", FakeQubesd.error("QubesFeatureNotFoundError", "nope"))
                .ok("admin.vm.feature.Set", "gui", "work", "");
        assertEquals("1\n", ToolRun.run(qubesd, "qvm-features", "work", "gui").out());
        ToolRun missing = ToolRun.run(qubesd, "qvm-features", "work", "nope");
        assertEquals(1, missing.code());
        assertEquals("", missing.out() + missing.err());
        assertEquals(0, ToolRun.run(qubesd, "qvm-features", "work", "gui", "").code());
        assertEquals("admin.vm.feature.Set+gui work", qubesd.calls().get(qubesd.calls().size() - 1));
    }

    @Test
    void featureUnsetIgnoresMissingFeatures() {
        qubesd.on("admin.vm.feature.Remove", "gone", "work", FakeQubesd.error("QubesFeatureNotFoundError", "gone"))
                .ok("admin.vm.feature.Remove", "gui", "work", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-features", "--unset", "work", "gone").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-features", "-D", "work", "gui").code());
        ToolRun both = ToolRun.run(qubesd, "qvm-features", "--delete", "work", "gui", "1");
        assertEquals(2, both.code());
        assertEquals("qvm-features: error: cannot both set and unset a value", both.lastErrLine());
        assertEquals("qvm-features: error: --unset requires a feature", ToolRun.run(qubesd, "qvm-features", "-D", "work").lastErrLine());
    }

    @Test
    void featureSetErrorIsARuntimeError() {
        qubesd.on("admin.vm.feature.Set", "x", "work", FakeQubesd.error("PermissionDenied", "refused by policy"));
        ToolRun run = ToolRun.run(qubesd, "qvm-features", "work", "x", "1");
        assertEquals(1, run.code());
        assertEquals("qvm-features: error: refused by policy\n", run.err());
    }

    @Test
    void tagsListSortedAndQuery() {
        qubesd.ok("admin.vm.tag.List", "work", "zeta\ncreated-by-dom0\nalpha\n")
                .ok("admin.vm.tag.Get", "alpha", "work", "1").ok("admin.vm.tag.Get", "beta", "work", "0");
        assertEquals("alpha\ncreated-by-dom0\nzeta\n", ToolRun.run(qubesd, "qvm-tags", "work").out());
        assertEquals("alpha\ncreated-by-dom0\nzeta\n", ToolRun.run(qubesd, "qvm-tags", "work", "ls").out());
        assertEquals("alpha\n", ToolRun.run(qubesd, "qvm-tags", "work", "list", "alpha").out());
        ToolRun absent = ToolRun.run(qubesd, "qvm-tags", "work", "l", "beta");
        assertEquals(1, absent.code());
        assertEquals("", absent.out());
    }

    @Test
    void tagsAddAndDelWithAliases() {
        qubesd.ok("admin.vm.tag.Set", "a", "work", "").ok("admin.vm.tag.Set", "b", "work", "")
                .ok("admin.vm.tag.Remove", "a", "work", "")
                .on("admin.vm.tag.Remove", "gone", "work", FakeQubesd.error("QubesTagNotFoundError", "Tag not set for domain work: gone"));
        assertEquals(0, ToolRun.run(qubesd, "qvm-tags", "work", "add", "a", "b").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-tags", "work", "set", "a").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-tags", "work", "del", "a").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-tags", "work", "u", "gone").code());
        assertEquals(List.of("admin.vm.tag.Set+a work", "admin.vm.tag.Set+b work", "admin.vm.tag.Set+a work",
                "admin.vm.tag.Remove+a work", "admin.vm.tag.Remove+gone work"),
                qubesd.calls().stream().filter(c -> !c.startsWith("admin.vm.List")).toList());
    }

    @Test
    void tagsUsageErrors() {
        ToolRun run = ToolRun.run(qubesd, "qvm-tags", "work", "frobnicate");
        assertEquals(2, run.code());
        assertEquals("qvm-tags: error: argument command: invalid choice: 'frobnicate' (choose from 'list', 'ls', 'l', 'add',"
                + " 'a', 'set', 'del', 'd', 'unset', 'u')", run.lastErrLine());
        assertEquals("qvm-tags: error: the following arguments are required: tag", ToolRun.run(qubesd, "qvm-tags", "work", "add").lastErrLine());
        assertEquals("qvm-tags: error: unrecognized arguments: b", ToolRun.run(qubesd, "qvm-tags", "work", "del", "a", "b").lastErrLine());
    }

    @Test
    void tagErrorsAreRuntimeErrors() {
        qubesd.on("admin.vm.tag.Set", "bad", "work", FakeQubesd.error("QubesValueError", "Invalid tag name"));
        ToolRun run = ToolRun.run(qubesd, "qvm-tags", "work", "add", "bad");
        assertEquals(1, run.code());
        assertEquals("qvm-tags: error: Invalid tag name\n", run.err());
    }
}
