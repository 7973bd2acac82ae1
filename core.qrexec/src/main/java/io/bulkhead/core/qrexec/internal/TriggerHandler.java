package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.protocol.TriggerServiceParams;

/** Routes a service call a qube asked for; answers through {@link AgentSession.PendingCall}. */
interface TriggerHandler {

    /**
     * Decides and connects one call. Runs on a pool thread; must answer the call (connect or
     * refuse) exactly once, also when it fails.
     */
    void route(AgentSession caller, AgentSession.PendingCall call, TriggerServiceParams request);
}
