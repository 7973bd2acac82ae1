package io.bulkhead.core.policy;

import java.nio.file.Path;
import java.util.List;

/**
 * The live policy of the running system (an OSGi service): loaded from the configured policy
 * directories, reloaded when they change, and administered through {@link #admin()}. The
 * qrexec router calls {@link #evaluate} for every call.
 */
public interface PolicyService {

    /** The current policy; a new object after each reload. */
    Policy policy();

    /** Decides a call against the current policy. */
    default PolicyDecision evaluate(PolicyRequest request, SystemView system) {
        return policy().evaluate(request, system);
    }

    /** Administration of the writable policy directory; changes take effect before the call returns. */
    PolicyAdmin admin();

    /** Reloads now (the directories are also watched) and returns the new policy. */
    Policy reload();

    /** The directories loaded, in precedence order. */
    List<Path> policyDirectories();
}
