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

@Timeout(20)
class QvmLsTest {
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
    void defaultColumnsAsQubesWithOneGetAllPerQube() {
        ToolRun run = ToolRun.run(qubesd, "qvm-ls");
        assertEquals(0, run.code(), run.err());
        assertEquals(""
                + "NAME       STATE    CLASS       LABEL  TEMPLATE   NETVM\n"
                + "debian-12  Halted   TemplateVM  black  -          -\n"
                + "dom0       Running  AdminVM     black  -          -\n"
                + "sys-net    Running  AppVM       red    debian-12  -\n"
                + "work       Halted   AppVM       blue   debian-12  sys-net\n", run.out());
        assertEquals("", run.err());
        assertEquals("admin.vm.List+ dom0", qubesd.calls().get(0));
        assertEquals(List.of("admin.vm.property.GetAll+ debian-12", "admin.vm.property.GetAll+ dom0",
                "admin.vm.property.GetAll+ sys-net", "admin.vm.property.GetAll+ work"),
                qubesd.calls().subList(1, qubesd.calls().size()).stream().sorted().toList());
        qubesd.requests().forEach(request -> {
            assertEquals("dom0", request.source());
            assertEquals("name", request.destType());
        });
    }

    @Test
    void rawListNeedsOnlyTheList() {
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "--raw-list");
        assertEquals("debian-12\ndom0\nsys-net\nwork\n", run.out());
        assertEquals(List.of("admin.vm.List+ dom0"), qubesd.calls());
    }

    @Test
    void rawDataJoinsFieldsWithBars() {
        qubesd.ok("admin.vm.CurrentState", "sys-net", "power_state=Running");
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "--raw-data", "-O", "name,state,netvm,memory,qid", "work", "sys-net");
        assertEquals("sys-net|Running|-|-|1\nwork|Halted|sys-net|-|2\n", run.out());
    }

    @Test
    void namesWithWildcardsAndPowerStateFilters() {
        assertEquals("NAME     STATE    CLASS  LABEL  TEMPLATE   NETVM\nsys-net  Running  AppVM  red    debian-12  -\n",
                ToolRun.run(qubesd, "qvm-ls", "--running", "*-*").out().replaceAll("(?m)^debian-12.*\n", ""));
        assertEquals("work\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--halted", "w?rk", "sys-net").out());
        assertEquals("dom0\nsys-net\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--running").out());
    }

    @Test
    void classLabelAndTemplateFilters() {
        assertEquals("sys-net\nwork\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--class", "AppVM").out());
        assertEquals("debian-12\ndom0\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--label", "black").out());
        assertEquals("sys-net\nwork\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--template-source", "debian-12").out());
        assertEquals("work\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--netvm-is", "sys-net").out());
        assertEquals("sys-net\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--prefs", "virt_mode=hvm").out());
    }

    @Test
    void tagFiltersAskEachQubesTags() {
        qubesd.ok("admin.vm.tag.List", "dom0", "").ok("admin.vm.tag.List", "debian-12", "")
                .ok("admin.vm.tag.List", "sys-net", "created-by-dom0\nnet\n").ok("admin.vm.tag.List", "work", "created-by-dom0\n");
        assertEquals("sys-net\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--tags", "net", "other").out());
        assertEquals("debian-12\ndom0\nsys-net\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--exclude-tags", "x", "--", "work",
                "sys-net", "dom0", "debian-12").out().replace("work\n", ""));
    }

    @Test
    void allWithExcludeKeepsDom0() {
        assertEquals("dom0\nwork\n", ToolRun.run(qubesd, "qvm-ls", "--raw-list", "--all", "--exclude", "sys-net", "--exclude",
                "debian-12").out());
    }

    @Test
    void sortByAnyColumnNumericOnesAsNumbers() {
        qubesd.ok("admin.vm.CurrentState", "sys-net", "power_state=Running").ok("admin.vm.CurrentState", "dom0", "power_state=Running");
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "-O", "name,memory,qid", "--sort", "qid", "--reverse");
        assertEquals(""
                + "NAME       MEMORY  QID\n"
                + "debian-12  -       3\n"
                + "work       -       2\n"
                + "sys-net    -       1\n"
                + "dom0       -       0\n", run.out());
        // MEMORY is numeric: '-' counts as 0; the stable sort keeps name order among equals
        assertEquals("NAME       STATE\ndebian-12  Halted\nwork       Halted\ndom0       Running\nsys-net    Running\n",
                ToolRun.run(qubesd, "qvm-ls", "-O", "name,state", "--sort", "state").out());
    }

    @Test
    void computedColumnsFlagsGatewayAndDisk() {
        qubesd.ok("admin.vm.volume.List", "work", "private\nroot\n")
                .ok("admin.vm.volume.Info", "private", "work", "pool=varlibqubes\nvid=appvms/work/private\nsize=2147483648\n"
                        + "usage=536870912\nrw=True\n")
                .ok("admin.vm.volume.Info", "root", "work", "pool=varlibqubes\nvid=appvms/work/root\nsize=10737418240\n"
                        + "usage=0\nrw=False\n");
        qubesd.ok("admin.vm.volume.List", "sys-net", "");
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "-O", "name,flags,gateway,disk,priv-curr,priv-max,priv-used,root-pool", "work", "sys-net");
        assertEquals(""
                + "NAME     FLAGS     GATEWAY     DISK  PRIV-CURR  PRIV-MAX  PRIV-USED  ROOT-POOL\n"
                + "sys-net  Ar-N----  -           0     0          0         0          -\n"
                + "work     a-------  10.137.0.2  512   512        2048      25%        varlibqubes\n", run.out());
    }

    @Test
    void memoryColumnAsksCurrentStateOfRunningQubes() {
        qubesd.ok("admin.vm.CurrentState", "sys-net", "mem=409600 mem_static_max=819200 cputime=5 power_state=Running");
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "--raw-data", "-O", "name,memory", "sys-net", "work");
        assertEquals("sys-net|400\nwork|-\n", run.out());
        assertEquals(List.of("admin.vm.List+ dom0", "admin.vm.CurrentState+ sys-net"), qubesd.calls());
    }

    @Test
    void networkTree() {
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "--tree", "-O", "name,netvm");
        assertEquals(""
                + "NAME       NETVM\n"
                + "debian-12  -\n"
                + "dom0       -\n"
                + "sys-net    -\n"
                + "└─work     sys-net\n", run.out());
    }

    @Test
    void presetFormats() {
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "--kernel", "work");
        assertEquals("NAME  STATE   CLASS  TEMPLATE   KERNEL  KERNELOPTS\nwork  Halted  AppVM  debian-12  -       -\n", run.out());
        assertEquals("NAME  LABEL  TEMPLATE   NETVM    VCPUS  INITIALMEM  MAXMEM  VIRT-MODE\n"
                + "work  blue   debian-12  sys-net  -      -           4000    pvh\n",
                ToolRun.run(qubesd, "qvm-ls", "--format", "prefs", "work").out());
    }

    @Test
    void helpFormatsListsThePresets() {
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "--help-formats");
        assertEquals(""
                + "Available formats:\n"
                + "  disk     NAME,STATE,DISK,PRIV-CURR,PRIV-MAX,PRIV-USED,ROOT-CURR,ROOT-MAX,ROOT-USED\n"
                + "  full     NAME,STATE,CLASS,LABEL,QID,XID,UUID\n"
                + "  kernel   NAME,STATE,CLASS,TEMPLATE,KERNEL,KERNELOPTS\n"
                + "  network  NAME,STATE,NETVM,IP,IPBACK,GATEWAY\n"
                + "  prefs    NAME,LABEL,TEMPLATE,NETVM,VCPUS,INITIALMEM,MAXMEM,VIRT-MODE\n"
                + "  simple   NAME,STATE,CLASS,LABEL,TEMPLATE,NETVM\n"
                + "\n", run.out());
        assertEquals(List.of(), qubesd.calls());
    }

    @Test
    void helpColumnsWrapsDescriptions() {
        ToolRun run = ToolRun.run(qubesd, "qvm-ls", "--help-columns");
        String[] lines = run.out().split("\n");
        assertEquals("Available columns:", lines[0]);
        assertEquals("  CLASS      Class of the qube.", lines[1]);
        assertEquals("  FLAGS      Various flags: type, power state, updateable, provides_network,", lines[3]);
        assertEquals("               installed_by_rpm, internal, debug, autostart.", lines[4]);
    }

    @Test
    void usageErrorsExitTwoWithArgparseWording() {
        ToolRun unknown = ToolRun.run(qubesd, "qvm-ls", "nope");
        assertEquals(2, unknown.code());
        assertEquals("qvm-ls: error: no such domain: 'nope'", unknown.lastErrLine());
        assertEquals("usage: qvm-ls", unknown.err().substring(0, 13));

        ToolRun badFormat = ToolRun.run(qubesd, "qvm-ls", "--format", "fancy");
        assertEquals(2, badFormat.code());
        assertEquals("qvm-ls: error: argument --format/-o: invalid choice: 'fancy' (choose from 'simple', 'network', 'kernel',"
                + " 'full', 'prefs', 'disk')", badFormat.lastErrLine());

        ToolRun both = ToolRun.run(qubesd, "qvm-ls", "--format", "simple", "-O", "name");
        assertEquals("qvm-ls: error: argument --fields/-O: not allowed with argument --format/-o", both.lastErrLine());

        ToolRun option = ToolRun.run(qubesd, "qvm-ls", "--bogus");
        assertEquals(2, option.code());
        assertEquals("qvm-ls: error: unrecognized arguments: --bogus", option.lastErrLine());

        ToolRun exclude = ToolRun.run(qubesd, "qvm-ls", "--exclude", "work");
        assertEquals("qvm-ls: error: --exclude can only be used with --all", exclude.lastErrLine());
    }

    @Test
    void serverErrorsExitOne() {
        qubesd.on("admin.vm.List", "", "dom0", FakeQubesd.error("PermissionDenied", "Got empty response"));
        ToolRun run = ToolRun.run(qubesd, "qvm-ls");
        assertEquals(1, run.code());
        assertEquals("qvm-ls: error: Got empty response\n", run.err());
        qubesd.on("admin.vm.List", "", "dom0", new byte[0]);
        assertEquals("qvm-ls: error: Got empty response from qubesd. See journalctl in dom0 for details.\n",
                ToolRun.run(qubesd, "qvm-ls").err());
    }
}
