package io.bulkhead.hal.xen.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** ConfigAdmin configuration of the Xen backend (PID {@code io.bulkhead.hal.xen}). */
@ObjectClassDefinition(name = "Bulkhead Xen hypervisor backend",
        description = "Runs every qube as a Xen domain through the xl toolstack; qrexec over libxenvchan.")
public @interface XenConfiguration {

    @AttributeDefinition(description = "xl executable: a name looked up on PATH, or an absolute path")
    String xlPath() default "xl";

    @AttributeDefinition(description = "Directory the generated xl.cfg files are written to (one NAME.cfg per "
            + "domain); empty: each domain's own run directory")
    String runDirectory() default "";

    @AttributeDefinition(description = "Directory of the Xen device nodes; privcmd must exist there in dom0")
    String xenDeviceDirectory() default "/dev/xen";

    @AttributeDefinition(description = "libxenvchan as JNA loads it: a library name or an absolute path")
    String vchanLibrary() default "xenvchan";

    @AttributeDefinition(description = "Virtualisation mode of qubes whose virt_mode is empty",
            options = {@Option(value = "pvh"), @Option(value = "hvm"), @Option(value = "pv")})
    String defaultVirtMode() default "pvh";

    @AttributeDefinition(description = "Run the device model of HVM qubes in a stub domain (Qubes default) "
            + "instead of a QEMU process in dom0")
    boolean hvmStubdomain() default true;

    @AttributeDefinition(description = "Kernel options put before the qube's own kernelopts "
            + "(Qubes templates: dm root, Xen console)")
    String kernelBaseOptions() default "root=/dev/mapper/dmroot ro nomodeset console=hvc0 rd_NO_PLYMOUTH "
            + "rd.plymouth.disable=1 clocksource=tsc xen_scrub_pages=0";

    @AttributeDefinition(description = "Hotplug script of qube uplinks, run in the netvm")
    String vifScript() default "vif-route-qubes";

    @AttributeDefinition(description = "Boot loader of PVH qubes without a kernel (pvgrub2 PVH image)")
    String pvhBootloader() default "/usr/lib/grub-xen/grub-i386-xen_pvh.bin";

    @AttributeDefinition(description = "Boot loader of PV qubes without a kernel (pvgrub2 image)")
    String pvBootloader() default "/usr/lib/grub-xen/grub-x86_64-xen.bin";

    @AttributeDefinition(description = "Where xenconsoled logs guest consoles (guest-NAME.log)")
    String consoleLogDirectory() default "/var/log/xen/console";

    @AttributeDefinition(description = "How often running domains are polled with `xl list`, in milliseconds")
    int pollIntervalMillis() default 1000;

    @AttributeDefinition(description = "Longest an xl command may run, in seconds (create/save/restore included)")
    int commandTimeoutSeconds() default 120;

    @AttributeDefinition(description = "How long openChannel waits for the guest's end of a vchan, in seconds")
    int channelConnectTimeoutSeconds() default 60;
}
