package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.SystemView;
import io.bulkhead.core.qrexec.AskPrompt;
import io.bulkhead.core.qrexec.DisposableVmService;
import io.bulkhead.core.qrexec.Dom0RpcHandler;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Executor;

/** What the {@link Router} needs from the daemon (the live system and the whiteboard services). */
interface RoutingEnvironment {

    /** @return the current policy, empty if no policy service is available (every call is refused) */
    Optional<Policy> policy();

    /** @return the qubes as the policy sees them, taken now */
    SystemView systemView();

    /**
     * Returns the connected agent session of {@code qube}, connecting it if the qube runs, or
     * starting the qube first if it is halted and {@code autostart} allows it.
     *
     * @throws IOException naming why no agent can be reached
     */
    AgentSession ensureAgent(String qube, boolean autostart) throws IOException;

    /** @return the handler for {@code service+argument}, else for {@code service} */
    Optional<Dom0RpcHandler> dom0Handler(String service, String argument);

    Optional<AskPrompt> askPrompt();

    Optional<DisposableVmService> disposables();

    Executor executor();

    DaemonSettings settings();
}
