package io.bulkhead.core.policy.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the policy service (ConfigAdmin PID {@value #PID}). */
@ObjectClassDefinition(name = "Bulkhead qrexec policy",
        description = "Where the qrexec policy (Qubes policy.d format) is loaded from.")
public @interface PolicyConfig {
    String PID = "io.bulkhead.core.policy";

    @AttributeDefinition(name = "Policy directories",
            description = "Ordered policy directories; a file name in an earlier directory hides the same "
                    + "name in later ones (Qubes: /run/qubes/policy.d, /etc/qubes/policy.d). Empty: "
                    + "<data dir>/run/policy.d and <data dir>/policy.d, where the data dir is the "
                    + "framework property bulkhead.data.dir (default ~/.bulkhead).")
    String[] policy_dirs() default {};

    @AttributeDefinition(name = "Admin directory",
            description = "The directory the policy administration API writes. Empty: the last policy directory.")
    String admin_dir() default "";

    @AttributeDefinition(name = "Legacy directory",
            description = "Pre-R4.1 per-service policy imported by !compat-4.0 (Qubes: /etc/qubes-rpc/policy). "
                    + "Empty: !compat-4.0 imports nothing.")
    String legacy_dir() default "";

    @AttributeDefinition(name = "Reload delay (ms)",
            description = "Quiet time after the last change in a policy directory before the policy is reloaded.")
    long reload_delay_ms() default 200;
}
