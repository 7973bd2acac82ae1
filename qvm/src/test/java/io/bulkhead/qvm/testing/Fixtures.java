package io.bulkhead.qvm.testing;

/** A small qube collection as qubesd serialises it: dom0, a template, a network qube and an app qube. */
public final class Fixtures {
    public static final String LIST = "dom0 class=AdminVM state=Running uuid=00000000-0000-0000-0000-000000000000\n"
            + "sys-net class=AppVM state=Running uuid=8a3e5a4c-1d52-4a3b-9a0c-3b2c6b1f0001\n"
            + "work class=AppVM state=Halted uuid=8a3e5a4c-1d52-4a3b-9a0c-3b2c6b1f0002\n"
            + "debian-12 class=TemplateVM state=Halted uuid=8a3e5a4c-1d52-4a3b-9a0c-3b2c6b1f0003\n";

    public static final String DOM0_PROPS = "default_dispvm default=True type=vm \n"
            + "klass default=True type=str AdminVM\n"
            + "label default=True type=label black\n"
            + "name default=True type=str dom0\n"
            + "qid default=True type=int 0\n";

    public static final String TEMPLATE_PROPS = "klass default=True type=str TemplateVM\n"
            + "label default=False type=label black\n"
            + "memory default=True type=int 400\n"
            + "name default=False type=str debian-12\n"
            + "netvm default=True type=vm \n"
            + "provides_network default=True type=bool False\n"
            + "qid default=False type=int 3\n"
            + "virt_mode default=True type=str pvh\n";

    public static final String NET_PROPS = "klass default=True type=str AppVM\n"
            + "gateway default=True type=str 10.137.0.2\n"
            + "label default=False type=label red\n"
            + "memory default=False type=int 800\n"
            + "name default=False type=str sys-net\n"
            + "netvm default=False type=vm \n"
            + "provides_network default=False type=bool True\n"
            + "qid default=False type=int 1\n"
            + "template default=False type=vm debian-12\n"
            + "virt_mode default=False type=str hvm\n";

    public static final String WORK_PROPS = "autostart default=True type=bool False\n"
            + "debug default=True type=bool False\n"
            + "kernelopts default=True type=str \n"
            + "klass default=True type=str AppVM\n"
            + "label default=False type=label blue\n"
            + "maxmem default=True type=int 4000\n"
            + "memory default=True type=int 400\n"
            + "name default=False type=str work\n"
            + "netvm default=True type=vm sys-net\n"
            + "provides_network default=True type=bool False\n"
            + "qid default=False type=int 2\n"
            + "stubdom_mem default=True type=int \n"
            + "template default=False type=vm debian-12\n"
            + "virt_mode default=True type=str pvh\n";

    private Fixtures() {
    }

    /** Scripts the list and every qube's GetAll. */
    public static FakeQubesd standard(FakeQubesd qubesd) {
        return qubesd.ok("admin.vm.List", "dom0", LIST)
                .ok("admin.vm.property.GetAll", "dom0", DOM0_PROPS)
                .ok("admin.vm.property.GetAll", "debian-12", TEMPLATE_PROPS)
                .ok("admin.vm.property.GetAll", "sys-net", NET_PROPS)
                .ok("admin.vm.property.GetAll", "work", WORK_PROPS);
    }
}
