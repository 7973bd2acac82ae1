package io.bulkhead.qvm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.bulkhead.qvm.testing.FakeQubesd;
import io.bulkhead.qvm.testing.Fixtures;
import io.bulkhead.qvm.testing.ToolRun;

/** qvm-prefs and qubes-prefs. */
@Timeout(20)
class PrefsTest {
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
    void listingMarksDefaultsAndUnsetValuesAsQubes() {
        ToolRun run = ToolRun.run(qubesd, "qvm-prefs", "work");
        assertEquals(0, run.code(), run.err());
        assertEquals(""
                + "autostart         D  False\n"
                + "debug             D  False\n"
                + "kernelopts        D  \n"
                + "klass             D  AppVM\n"
                + "label             -  blue\n"
                + "maxmem            D  4000\n"
                + "memory            D  400\n"
                + "name              -  work\n"
                + "netvm             D  sys-net\n"
                + "provides_network  D  False\n"
                + "qid               -  2\n"
                + "stubdom_mem       U\n"
                + "template          -  debian-12\n"
                + "virt_mode         D  pvh\n", run.out());
        assertEquals(List.of("admin.vm.List+ dom0", "admin.vm.property.GetAll+ work"), qubesd.calls());
    }

    @Test
    void hideDefaultAndNoneValues() {
        ToolRun run = ToolRun.run(qubesd, "qvm-prefs", "--hide-default", "sys-net");
        assertEquals(""
                + "label             -  red\n"
                + "memory            -  800\n"
                + "name              -  sys-net\n"
                + "netvm             -  None\n"
                + "provides_network  -  True\n"
                + "qid               -  1\n"
                + "template          -  debian-12\n"
                + "virt_mode         -  hvm\n", run.out());
    }

    @Test
    void getPrintsTheValueAndNothingForNone() {
        qubesd.ok("admin.vm.property.Get", "netvm", "work", "default=True type=vm sys-net")
                .ok("admin.vm.property.Get", "netvm", "sys-net", "default=False type=vm ");
        assertEquals("sys-net\n", ToolRun.run(qubesd, "qvm-prefs", "work", "netvm").out());
        ToolRun none = ToolRun.run(qubesd, "qvm-prefs", "sys-net", "netvm");
        assertEquals(0, none.code());
        assertEquals("", none.out());
        assertEquals("", ToolRun.run(qubesd, "qvm-prefs", "--hide-default", "work", "netvm").out());
    }

    @Test
    void dashesInPropertyNamesBecomeUnderscores() {
        qubesd.ok("admin.vm.property.Get", "virt_mode", "work", "default=True type=str pvh");
        assertEquals("pvh\n", ToolRun.run(qubesd, "qvm-prefs", "work", "virt-mode").out());
    }

    @Test
    void setSendsTheValueAsPayloadNoneMeansEmptyForQubeReferences() {
        qubesd.ok("admin.vm.property.Set", "netvm", "work", "").ok("admin.vm.property.Set", "memory", "work", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-prefs", "work", "netvm", "none").code());
        assertEquals(0, ToolRun.run(qubesd, "qvm-prefs", "work", "memory", "1024").code());
        assertEquals(List.of("admin.vm.List+ dom0", "admin.vm.property.Set+netvm work", "admin.vm.List+ dom0",
                "admin.vm.property.Set+memory work 1024"), qubesd.calls());
        assertEquals("", qubesd.requests().get(1).payload());
    }

    @Test
    void defaultResetsTheProperty() {
        qubesd.ok("admin.vm.property.Reset", "netvm", "work", "");
        assertEquals(0, ToolRun.run(qubesd, "qvm-prefs", "-D", "work", "netvm").code());
        assertEquals("admin.vm.property.Reset+netvm work", qubesd.calls().get(1));
    }

    @Test
    void unknownPropertyIsAUsageErrorOtherErrorsRuntime() {
        qubesd.on("admin.vm.property.Get", "nope", "work", FakeQubesd.error("QubesNoSuchPropertyError", "Invalid property name: nope"));
        ToolRun run = ToolRun.run(qubesd, "qvm-prefs", "work", "nope");
        assertEquals(2, run.code());
        assertEquals("qvm-prefs: error: no such property: 'nope'", run.lastErrLine());
        assertTrue(run.err().startsWith("usage: qvm-prefs"), run.err());

        qubesd.on("admin.vm.property.Set", "memory", "work", FakeQubesd.error("QubesPropertyValueError", "memory must be positive"));
        ToolRun bad = ToolRun.run(qubesd, "qvm-prefs", "work", "memory", "-1");
        assertEquals(1, bad.code());
        assertEquals("qvm-prefs: error: memory must be positive\n", bad.err());
    }

    @Test
    void unknownQubeIsAUsageError() {
        ToolRun run = ToolRun.run(qubesd, "qvm-prefs", "nope");
        assertEquals(2, run.code());
        assertEquals("qvm-prefs: error: no such domain: 'nope'", run.lastErrLine());
    }

    @Test
    void helpPropertiesAsksHelpOfEach() {
        qubesd.ok("admin.vm.property.List", "work", "netvm\nlabel\n")
                .ok("admin.vm.property.Help", "label", "work", "Colourful label assigned to the qube")
                .ok("admin.vm.property.Help", "netvm", "work",
                        "Qube that provides network connection to this qube. None means no network. Long enough to wrap.");
        ToolRun run = ToolRun.run(qubesd, "qvm-prefs", "--help-properties", "work");
        assertEquals(""
                + "  label  Colourful label assigned to the qube\n"
                + "  netvm  Qube that provides network connection to this qube. None means no\n"
                + "           network. Long enough to wrap.\n", run.out());
    }

    @Test
    void qubesPrefsUsesTheGlobalMethodsOnDom0() {
        qubesd.ok("admin.property.GetAll", "dom0", "clockvm default=False type=vm sys-net\ndefault_netvm default=False type=vm sys-net\n"
                + "default_kernel default=True type=str 6.6\n")
                .ok("admin.property.Get", "default_netvm", "dom0", "default=False type=vm sys-net")
                .ok("admin.property.Set", "default_netvm", "dom0", "")
                .ok("admin.property.Reset", "clockvm", "dom0", "");
        assertEquals("clockvm         -  sys-net\ndefault_kernel  D  6.6\ndefault_netvm   -  sys-net\n",
                ToolRun.run(qubesd, "qubes-prefs").out());
        assertEquals("sys-net\n", ToolRun.run(qubesd, "qubes-prefs", "default_netvm").out());
        assertEquals(0, ToolRun.run(qubesd, "qubes-prefs", "default_netvm", "sys-net").code());
        assertEquals(0, ToolRun.run(qubesd, "qubes-prefs", "--default", "clockvm").code());
        assertEquals(List.of("admin.property.GetAll+ dom0", "admin.property.Get+default_netvm dom0",
                "admin.property.Set+default_netvm dom0 sys-net", "admin.property.Reset+clockvm dom0"), qubesd.calls());
    }
}
