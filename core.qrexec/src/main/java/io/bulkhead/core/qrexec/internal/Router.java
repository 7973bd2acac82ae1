package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.policy.CallRoute;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyDecision;
import io.bulkhead.core.policy.PolicyRequest;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;
import io.bulkhead.core.qrexec.AskPrompt;
import io.bulkhead.core.qrexec.AskRequest;
import io.bulkhead.core.qrexec.DisposableVmService;
import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.QrexecNames;
import io.bulkhead.core.qrexec.protocol.ServiceCall;
import io.bulkhead.core.qrexec.protocol.TriggerServiceParams;
import java.io.IOException;
import java.util.Optional;

/**
 * The VM to VM router (the roles of Qubes' qrexec-daemon child and qrexec-policy-daemon): asks
 * the policy, resolves {@code ask} through the {@link AskPrompt}, starts or creates the target,
 * and connects the two data streams; dom0 targets go to the dom0 handler of the service.
 */
final class Router implements TriggerHandler {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());
    private static final String DOM0 = "dom0";
    private static final String DOM0_UUID = "uuid:00000000-0000-0000-0000-000000000000";
    private static final String DISPVM_PREFIX = "@dispvm:";

    private final RoutingEnvironment env;

    Router(RoutingEnvironment env) {
        this.env = env;
    }

    @Override
    public void route(AgentSession caller, AgentSession.PendingCall call, TriggerServiceParams request) {
        String descriptor = request.serviceName();
        String service = QrexecNames.serviceName(descriptor);
        String argument = "+" + QrexecNames.argument(descriptor);
        Optional<Policy> policy = env.policy();
        if (policy.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "no policy service: refusing {0}", call);
            call.refuse("no policy service");
            return;
        }
        SystemView system = env.systemView();
        PolicyRequest policyRequest = new PolicyRequest(service, argument, caller.qube(), request.targetDomain(),
                request.sourceDomain());
        PolicyDecision decision = policy.get().evaluate(policyRequest, system);
        if (decision.result() == PolicyDecision.Result.ASK) {
            decision = policy.get().answerAsk(decision, ask(decision, policyRequest).orElse(null), system);
        }
        if (!decision.permitsCall()) {
            LOG.log(System.Logger.Level.INFO, "denied {0}: {1}", call,
                    decision.reason() != null ? decision.reason() : decision.result().keyword());
            call.refuse("policy: " + decision);
            return;
        }
        CallRoute route = decision.route().orElseThrow();
        String target = route.target();
        String user = env.settings().user(route.user());
        String source = route.policySource() != null ? route.policySource() : caller.qube();
        String effectiveDescriptor = route.service() != null ? route.service() : QrexecNames.descriptor(descriptor);
        String name = QrexecNames.serviceName(effectiveDescriptor);
        String arg = QrexecNames.argument(effectiveDescriptor);
        LOG.log(System.Logger.Level.DEBUG, "allowed {0} -> {1} as {2}", call, target, user);
        if (target.equals(DOM0) || target.equals("@adminvm") || target.equals(DOM0_UUID)) {
            String requested = decision.requestedTarget() == null ? DOM0 : decision.requestedTarget();
            boolean keyword = requested.startsWith("@");
            ServiceCall sc = new ServiceCall(name, arg, source, keyword ? "keyword" : "name",
                    keyword ? requested.substring(1) : requested);
            runInDom0(caller, call, sc);
        } else if (target.startsWith(DISPVM_PREFIX)) {
            runInDisposable(caller, call, target.substring(DISPVM_PREFIX.length()), user, new ServiceCall(name, arg, source));
        } else {
            String qube = resolveName(target, system);
            if (qube.equals(caller.qube())) {
                call.refuse("loopback call to the caller itself");
                return;
            }
            AgentSession targetSession;
            try {
                targetSession = env.ensureAgent(qube, route.autostart());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot deliver {0}: {1}", call, e.getMessage());
                call.refuse(e.getMessage());
                return;
            }
            runInQube(caller, call, targetSession, user, new ServiceCall(name, arg, source));
        }
    }

    private Optional<String> ask(PolicyDecision decision, PolicyRequest request) {
        Optional<AskPrompt> prompt = env.askPrompt();
        if (prompt.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "no ask prompt service: denying ask for {0} from {1}",
                    request.service() + request.argument(), request.source());
            return Optional.empty();
        }
        AskRequest ask = new AskRequest(request.source(), request.service(), request.argument(), decision.targetsForAsk(),
                decision.defaultTarget());
        try {
            Optional<String> answer = prompt.get().ask(ask);
            if (answer.isPresent() && !ask.targets().contains(answer.get())) {
                LOG.log(System.Logger.Level.WARNING, "ask prompt answered ''{0}'', not a candidate: denied", answer.get());
                return Optional.empty();
            }
            return answer;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ask prompt failed; denying", e);
            return Optional.empty();
        }
    }

    private static String resolveName(String target, SystemView system) {
        if (target.startsWith("uuid:")) {
            return system.byUuid(target.substring("uuid:".length())).map(QubeInfo::name).orElse(target);
        }
        return target;
    }

    private void runInDom0(AgentSession caller, AgentSession.PendingCall call, ServiceCall sc) {
        DataConnection connection;
        try {
            connection = caller.openCallerConnection();
        } catch (IOException e) {
            call.refuse(e.getMessage());
            return;
        }
        try {
            if (!call.connect(connection, 0)) {
                connection.close();
                return;
            }
        } catch (IOException e) {
            connection.close();
            return;
        }
        int status = Dom0CallRunner.run(connection, env.dom0Handler(sc.serviceName(), sc.argument()).orElse(null), sc,
                env.settings().helloTimeoutMillis());
        LOG.log(System.Logger.Level.DEBUG, "{0} in dom0 exited {1}", call, status);
    }

    private void runInDisposable(AgentSession caller, AgentSession.PendingCall call, String template, String user,
            ServiceCall sc) {
        Optional<DisposableVmService> service = env.disposables();
        if (service.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "refusing {0}: target @dispvm:{1} needs a DisposableVmService and none is registered",
                    call, template);
            call.refuse("no DisposableVmService");
            return;
        }
        String disposable;
        try {
            disposable = service.get().acquire(template, caller.qube());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "refusing " + call + ": no disposable from " + template, e);
            call.refuse("disposable creation failed");
            return;
        }
        try {
            AgentSession target = env.ensureAgent(disposable, false);
            runInQube(caller, call, target, user, sc);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "refusing {0}: disposable {1} unreachable: {2}", call, disposable, e.getMessage());
            call.refuse(e.getMessage());
        } finally {
            call.refuse("not connected");
            service.get().release(disposable);
        }
    }

    private void runInQube(AgentSession caller, AgentSession.PendingCall call, AgentSession target, String user,
            ServiceCall sc) {
        DataConnection toTarget = null;
        DataConnection toCaller = null;
        try {
            toTarget = target.openExecConnection();
            toCaller = caller.openCallerConnection();
            String command = user + ":" + sc.toCommand();
            target.sendExec(MessageType.EXEC_CMDLINE, toTarget, caller.domainId(), command);
            if (!call.connect(toCaller, target.domainId())) {
                toTarget.abort();
                toTarget.close();
                toCaller.close();
                return;
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot connect {0} to {1}: {2}", call, target.qube(), e.getMessage());
            call.refuse(String.valueOf(e.getMessage()));
            if (toTarget != null) {
                toTarget.close();
            }
            if (toCaller != null) {
                toCaller.close();
            }
            return;
        }
        int status = StreamRelay.run(toCaller, toTarget, call + " -> " + target.qube(), env.executor(),
                env.settings().helloTimeoutMillis());
        LOG.log(System.Logger.Level.DEBUG, "{0} -> {1} exited {2}", call, target.qube(), status);
    }
}
