package io.bulkhead.core.domains.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the qube model service (PID {@value #PID}). */
@ObjectClassDefinition(id = DomainsConfig.PID, name = "Bulkhead qube model",
        description = "Data directory, store and hypervisor backend selection of core.domains")
public @interface DomainsConfig {

    String PID = "io.bulkhead.core.domains";

    @AttributeDefinition(name = "Hypervisor backend",
            description = "Id of the Hypervisor service to use (service property hypervisor=<id>): kvm, xen, hyperv, ...")
    String hypervisor() default "kvm";

    @AttributeDefinition(name = "Data directory", required = false,
            description = "Directory holding qubes.xml, storage pools and run directories. Empty: framework property "
                    + "bulkhead.data.dir, else ${user.home}/.bulkhead")
    String dataDir() default "";

    @AttributeDefinition(name = "Store file name", description = "File name of the store inside the data directory")
    String storeFile() default "qubes.xml";

    @AttributeDefinition(name = "qemu-img", description = "qemu-img executable (name on PATH or absolute path) used by the file pool driver")
    String qemuImg() default "qemu-img";
}
