package io.bulkhead.hal.kvm.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** ConfigAdmin configuration of the QEMU/KVM backend (PID {@code io.bulkhead.hal.kvm}). */
@ObjectClassDefinition(name = "Bulkhead QEMU/KVM hypervisor backend",
        description = "Runs every qube as a qemu-system-x86_64 process driven over QMP.")
public @interface KvmConfiguration {

    @AttributeDefinition(description = "QEMU executable: a name looked up on PATH, or an absolute path")
    String qemuBinary() default "qemu-system-x86_64";

    @AttributeDefinition(description = "auto (probe KVM by booting, fall back to TCG), kvm, or tcg",
            options = {
                @org.osgi.service.metatype.annotations.Option(value = "auto"),
                @org.osgi.service.metatype.annotations.Option(value = "kvm"),
                @org.osgi.service.metatype.annotations.Option(value = "tcg")})
    String accelerator() default "auto";

    @AttributeDefinition(description = "How long the KVM probe guest may take to reach userspace, in seconds")
    int probeTimeoutSeconds() default 10;

    @AttributeDefinition(description = "Kernel (PVH vmlinux) booted by the KVM probe; empty: the minimal template's")
    String probeKernel() default "";

    @AttributeDefinition(description = "Initramfs of the KVM probe; empty: the minimal template's")
    String probeInitrd() default "";

    @AttributeDefinition(description = "Cache directory (probe result, templates); empty: $BULKHEAD_CACHE or ~/.cache/bulkhead")
    String cacheDirectory() default "";

    @AttributeDefinition(description = "Unprivileged user QEMU switches to (-runas) when dom0 runs as root")
    String runAsUser() default "bulkhead-qemu";

    @AttributeDefinition(description = "Seconds to wait for QEMU's QMP socket after spawning it")
    int startTimeoutSeconds() default 15;
}
