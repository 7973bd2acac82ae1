package io.bulkhead.core.runtime.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of extension management (PID {@value #PID}). */
@ObjectClassDefinition(id = RuntimeConfig.PID, name = "Bulkhead runtime management",
        description = "Where extensions are deployed and how long an install may take to settle")
public @interface RuntimeConfig {

    String PID = "io.bulkhead.core.runtime";

    @AttributeDefinition(name = "Deploy directory", required = false,
            description = "Directory watched by FileInstall. Empty: framework property felix.fileinstall.dir, else "
                    + "<bulkhead.data.dir>/hot-deploy")
    String deployDir() default "";

    @AttributeDefinition(name = "Install timeout (seconds)",
            description = "How long install and uninstall wait for the framework to pick up a deployed file")
    int installTimeoutSeconds() default 30;
}
