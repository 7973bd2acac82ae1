package io.bulkhead.core.admin.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Bulkhead Admin API", description = "The qubesd-compatible Admin API socket")
public @interface AdminConfig {
    /** PID of this configuration. */
    String PID = "io.bulkhead.core.admin";

    @AttributeDefinition(description = "Path of the Admin API socket; empty: <data dir>/run/qubesd.sock")
    String socket_path() default "";

    @AttributeDefinition(description = "Connections served at the same time; more are refused")
    int max_connections() default 64;
}
