package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.domains.AgentReadiness;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.Hypervisor;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyService;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;
import io.bulkhead.core.qrexec.AgentNotConnectedException;
import io.bulkhead.core.qrexec.AskPrompt;
import io.bulkhead.core.qrexec.DisposableVmService;
import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.QrexecException;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.internal.vchan.VchanSocketLink;
import io.bulkhead.core.qrexec.protocol.CommandLine;
import io.bulkhead.core.qrexec.protocol.ExitStatus;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.QrexecNames;
import io.bulkhead.core.qrexec.protocol.ServiceCall;
import io.bulkhead.core.qrexec.transport.QrexecChannel;
import io.bulkhead.core.qrexec.transport.QrexecChannelProvider;
import io.bulkhead.core.qrexec.transport.VchanSocketEndpoint;
import io.bulkhead.core.qrexec.transport.VchanSocketProvider;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The dom0 qrexec daemon: one {@link AgentSession} per connected qube, the {@link QrexecService}
 * API, the {@link AgentReadiness} hook core.domains waits on during start, and the
 * {@link Router} for the qubes' own calls. Whiteboard services (dom0 handlers, ask prompt,
 * disposables, vchan-socket providers, channel providers, hypervisors) are tracked dynamically.
 *
 * <p>How a qube is reached, first match wins: a {@link VchanSocketProvider} that knows it (an
 * unmodified Qubes agent over libvchan-socket: {@link VchanSocketLink}), else a
 * {@link QrexecChannelProvider}, else the running hypervisor backend's channel (both carry the
 * multiplexed channel). Everything above the link (sessions, router, dom0 services) is the same
 * for every transport.
 */
@Component(service = {QrexecService.class, AgentReadiness.class}, configurationPid = QrexecConfig.PID)
@Designate(ocd = QrexecConfig.class)
public final class QrexecDaemon implements QrexecService, AgentReadiness, RoutingEnvironment {
    private static final System.Logger LOG = System.getLogger(QrexecDaemon.class.getName());

    private final DaemonSettings settings;
    private final long agentTimeoutMillis;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final Router router = new Router(this);
    private final Map<String, AgentSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<AgentSession>> connecting = new ConcurrentHashMap<>();
    private final List<HandlerEntry> handlers = new CopyOnWriteArrayList<>();
    private final List<Ranked<QrexecChannelProvider>> providers = new CopyOnWriteArrayList<>();
    private final List<Ranked<VchanSocketProvider>> vchanProviders = new CopyOnWriteArrayList<>();
    private final List<Hypervisor> hypervisors = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PolicyService policyService;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DomainsService domains;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile AskPrompt askPrompt;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DisposableVmService disposableVms;

    @Activate
    public QrexecDaemon(QrexecConfig config) {
        this(DaemonSettings.from(config), TimeUnit.SECONDS.toMillis(config.agentTimeoutSeconds()));
    }

    QrexecDaemon(DaemonSettings settings, long agentTimeoutMillis) {
        this.settings = settings;
        this.agentTimeoutMillis = agentTimeoutMillis;
        this.executor = Executors.newCachedThreadPool(threads("qrexec-call"));
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("qrexec-timer"));
        long period = Math.max(100, Math.min(1000, settings.writeStallMillis() / 4));
        timer.scheduleWithFixedDelay(this::closeStalledLinks, period, period, TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        executor.shutdownNow();
        for (AgentSession s : sessions.values()) {
            s.close();
        }
        sessions.clear();
    }

    // ---- whiteboard -----------------------------------------------------------------------------

    /** A dom0 handler with the service names it registered for. */
    private record HandlerEntry(Ranked<Dom0RpcHandler> ranked, List<String> names) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDom0RpcHandler(Dom0RpcHandler handler, Map<String, Object> properties) {
        List<String> names = List.of(Ranked.strings(properties.get(Dom0RpcHandler.SERVICE_PROPERTY)));
        if (names.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "dom0 qrexec handler {0} has no {1} property: ignored", handler,
                    Dom0RpcHandler.SERVICE_PROPERTY);
            return;
        }
        handlers.add(new HandlerEntry(Ranked.of(handler, properties), names));
        LOG.log(System.Logger.Level.DEBUG, "dom0 qrexec service(s) {0} registered", names);
    }

    void unbindDom0RpcHandler(Dom0RpcHandler handler, Map<String, Object> properties) {
        handlers.removeIf(e -> e.ranked().service() == handler);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindChannelProvider(QrexecChannelProvider provider, Map<String, Object> properties) {
        providers.add(Ranked.of(provider, properties));
        Collections.sort(providers);
    }

    void unbindChannelProvider(QrexecChannelProvider provider, Map<String, Object> properties) {
        providers.removeIf(r -> r.service() == provider);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindVchanSocketProvider(VchanSocketProvider provider, Map<String, Object> properties) {
        vchanProviders.add(Ranked.of(provider, properties));
        Collections.sort(vchanProviders);
    }

    void unbindVchanSocketProvider(VchanSocketProvider provider, Map<String, Object> properties) {
        vchanProviders.removeIf(r -> r.service() == provider);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindHypervisor(Hypervisor hypervisor) {
        hypervisors.add(hypervisor);
    }

    void unbindHypervisor(Hypervisor hypervisor) {
        hypervisors.remove(hypervisor);
    }

    /** Sets the whiteboard references outside OSGi (tests, embedding); {@code null} unsets. */
    void setPolicyService(PolicyService service) {
        this.policyService = service;
    }

    void setDomains(DomainsService service) {
        this.domains = service;
    }

    void setAskPrompt(AskPrompt prompt) {
        this.askPrompt = prompt;
    }

    void setDisposableVms(DisposableVmService service) {
        this.disposableVms = service;
    }

    // ---- QrexecService --------------------------------------------------------------------------

    @Override
    public RemoteProcess exec(String qube, String user, String command) throws QrexecException {
        return start(qube, MessageType.EXEC_CMDLINE, CommandLine.shell(settings.user(user), command), "exec in " + qube);
    }

    @Override
    public RemoteProcess callService(String qube, String user, String serviceAndArgument) throws QrexecException {
        String problem = QrexecNames.serviceRequestProblem(serviceAndArgument);
        if (problem != null) {
            throw new QrexecException("cannot call '" + serviceAndArgument + "' in " + qube + ": " + problem);
        }
        ServiceCall call = new ServiceCall(QrexecNames.serviceName(serviceAndArgument),
                QrexecNames.argument(serviceAndArgument), "dom0");
        return start(qube, MessageType.EXEC_CMDLINE, CommandLine.service(settings.user(user), call),
                call.descriptor() + " in " + qube);
    }

    @Override
    public int justExec(String qube, String user, String command) throws QrexecException {
        RemoteProcessImpl p = start(qube, MessageType.JUST_EXEC, CommandLine.shell(settings.user(user), command),
                "just-exec in " + qube);
        try {
            p.stdin().close();
            return p.waitFor();
        } catch (IOException e) {
            return p.onExit().getNow(ExitStatus.PROBLEM);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.close();
            throw new QrexecException("interrupted while starting a command in " + qube);
        } finally {
            p.close();
        }
    }

    private RemoteProcessImpl start(String qube, int type, String commandLine, String description) throws QrexecException {
        AgentSession session = sessions.get(qube);
        if (session == null || !session.isOpen()) {
            throw new AgentNotConnectedException(qube);
        }
        DataConnection connection = null;
        try {
            connection = session.openExecConnection();
            RemoteProcessImpl process = new RemoteProcessImpl(connection, description, settings.outputBuffer());
            if (connection.isOpenBeforeAnnounce()) {
                process.sendHelloEarly();
            }
            session.sendExec(type, connection, 0, commandLine);
            process.start(executor);
            return process;
        } catch (IOException | IllegalArgumentException e) {
            if (connection != null) {
                connection.close();
            }
            throw new QrexecException(description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isConnected(String qube) {
        AgentSession s = sessions.get(qube);
        return s != null && s.isOpen();
    }

    @Override
    public Set<String> connectedQubes() {
        Set<String> out = new TreeSet<>();
        sessions.forEach((name, s) -> {
            if (s.isOpen()) {
                out.add(name);
            }
        });
        return out;
    }

    @Override
    public void attach(String qube, int domainId, QrexecChannel channel) throws IOException {
        AgentSession session = AgentSession.connect(qube, domainId, channel, settings, executor);
        register(session);
    }

    private void register(AgentSession session) {
        String qube = session.qube();
        AgentSession old = sessions.put(qube, session);
        if (old != null && old != session) {
            old.close();
        }
        session.link().closedFuture().thenRun(() -> sessions.remove(qube, session));
        session.serve(router);
        LOG.log(System.Logger.Level.INFO, "{0}: qrexec agent connected (protocol {1})", qube, session.version());
        synchronized (sessions) {
            sessions.notifyAll();
        }
    }

    @Override
    public void detach(String qube) {
        AgentSession s = sessions.remove(qube);
        if (s != null) {
            s.close();
        }
    }

    // ---- agent readiness ------------------------------------------------------------------------

    @Override
    public boolean awaitAgent(String qube, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (isConnected(qube)) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (canOpenChannels()) {
                try {
                    connectOnce(qube, TimeUnit.NANOSECONDS.toMillis(left));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: agent not reachable yet: {1}", qube, e.getMessage());
                    Thread.sleep(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                }
            } else {
                synchronized (sessions) {
                    if (!isConnected(qube)) {
                        TimeUnit.NANOSECONDS.timedWait(sessions, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                    }
                }
            }
        }
    }

    private boolean canOpenChannels() {
        return !vchanProviders.isEmpty() || !providers.isEmpty() || !hypervisors.isEmpty();
    }

    /** Opens the channel and connects, at most one attempt per qube at a time. */
    private AgentSession connectOnce(String qube, long timeoutMillis) throws IOException, InterruptedException {
        CompletableFuture<AgentSession> mine = new CompletableFuture<>();
        CompletableFuture<AgentSession> running = connecting.putIfAbsent(qube, mine);
        if (running != null) {
            try {
                return running.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("connecting to " + qube + " timed out");
            }
        }
        try {
            AgentSession session;
            Optional<VchanSocketEndpoint> vchan = vchanEndpoint(qube);
            // the agent may not run yet: bound the wait for its preamble and hello
            if (vchan.isPresent()) {
                VchanSocketLink link = VchanSocketLink.connect(qube, vchan.get(), settings.helloTimeoutMillis(), timer, executor);
                ScheduledFuture<?> guard = timer.schedule(link::close, timeoutMillis, TimeUnit.MILLISECONDS);
                try {
                    session = AgentSession.connect(qube, vchan.get().domainId(), link, settings, executor);
                } finally {
                    guard.cancel(false);
                }
            } else {
                QrexecChannel channel = openChannel(qube);
                ScheduledFuture<?> guard = timer.schedule(() -> closeQuietly(channel), timeoutMillis, TimeUnit.MILLISECONDS);
                try {
                    session = AgentSession.connect(qube, domainId(qube), channel, settings, executor);
                } finally {
                    guard.cancel(false);
                }
            }
            register(session);
            mine.complete(session);
            return session;
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            connecting.remove(qube, mine);
        }
    }

    /** @return the endpoint of the first vchan-socket provider (ranking order) that serves {@code qube} */
    private Optional<VchanSocketEndpoint> vchanEndpoint(String qube) {
        for (Ranked<VchanSocketProvider> p : vchanProviders) {
            try {
                Optional<VchanSocketEndpoint> e = p.service().vchanSocket(qube);
                if (e.isPresent()) {
                    return e;
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "vchan-socket provider " + p.service() + " failed for " + qube, e);
            }
        }
        return Optional.empty();
    }

    private QrexecChannel openChannel(String qube) throws IOException {
        for (Ranked<QrexecChannelProvider> p : providers) {
            Optional<QrexecChannel> ch = p.service().open(qube);
            if (ch.isPresent()) {
                return ch.get();
            }
        }
        for (Hypervisor hv : hypervisors) {
            if (hv.state(qube) != DomainState.SHUTOFF) {
                return new DomainChannelAdapter(hv.openQrexecChannel(qube));
            }
        }
        throw new IOException("no transport knows qube '" + qube + "' (not running, or no provider/backend)");
    }

    private int domainId(String qube) {
        DomainsService d = domains;
        if (d != null) {
            try {
                return d.find(qube).map(io.bulkhead.core.domains.QubeInfo::qid).orElse(0);
            } catch (RuntimeException e) {
                return 0;
            }
        }
        return 0;
    }

    private void closeStalledLinks() {
        long limit = TimeUnit.MILLISECONDS.toNanos(settings.writeStallMillis());
        for (AgentSession s : sessions.values()) {
            long stall = s.link().writeStallNanos();
            if (stall > limit) {
                s.link().fail("writes blocked for " + TimeUnit.NANOSECONDS.toMillis(stall) + " ms (qube not reading its channel)");
            }
        }
    }

    private static void closeQuietly(QrexecChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // best effort
        }
    }

    // ---- RoutingEnvironment ---------------------------------------------------------------------

    @Override
    public Optional<Policy> policy() {
        PolicyService p = policyService;
        return p == null ? Optional.empty() : Optional.of(p.policy());
    }

    @Override
    public SystemView systemView() {
        DomainsService d = domains;
        List<QubeInfo> qubes = new ArrayList<>();
        if (d != null) {
            for (io.bulkhead.core.domains.QubeInfo q : d.list()) {
                qubes.add(new QubeInfo(q.name(), q.klass().qubesName(), q.tags(), q.uuid().toString(),
                        q.templateForDispvms(), q.defaultDispvm().orElse(null), q.powerState().qubesName(),
                        q.featureEnabled("internal")));
            }
        } else {
            // without the qube model: dom0 plus the qubes whose agents are attached, as running AppVMs
            qubes.add(new QubeInfo("dom0", "AdminVM", Set.of(), "00000000-0000-0000-0000-000000000000", false, null,
                    QubeInfo.RUNNING, false));
            for (String name : connectedQubes()) {
                if (!name.equals("dom0")) {
                    qubes.add(new QubeInfo(name, "AppVM", Set.of(), null, false, null, QubeInfo.RUNNING, false));
                }
            }
        }
        return SystemView.of(qubes);
    }

    @Override
    public AgentSession ensureAgent(String qube, boolean autostart) throws IOException {
        AgentSession s = sessions.get(qube);
        if (s != null && s.isOpen()) {
            return s;
        }
        DomainsService d = domains;
        if (d == null && !canOpenChannels()) {
            // nothing could start or connect it: do not keep the caller waiting
            throw new AgentNotConnectedException(qube);
        }
        if (d != null) {
            PowerState state;
            try {
                state = d.powerState(qube);
            } catch (RuntimeException e) {
                throw new IOException("target '" + qube + "': " + e.getMessage(), e);
            }
            if (!state.isActive()) {
                if (!autostart) {
                    throw new IOException("target '" + qube + "' is " + state + " and autostart=no");
                }
                LOG.log(System.Logger.Level.INFO, "starting {0} for a qrexec call", qube);
                try {
                    d.start(qube);
                } catch (RuntimeException e) {
                    throw new IOException("cannot start '" + qube + "': " + e.getMessage(), e);
                }
            }
        }
        try {
            if (awaitAgent(qube, Duration.ofMillis(agentTimeoutMillis))) {
                s = sessions.get(qube);
                if (s != null) {
                    return s;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the agent of " + qube);
        }
        throw new AgentNotConnectedException(qube);
    }

    @Override
    public Optional<Dom0RpcHandler> dom0Handler(String service, String argument) {
        // like Qubes' service files: svc+arg wins over svc; then ranking
        String withArg = service + "+" + argument;
        HandlerEntry best = null;
        boolean bestExact = false;
        for (HandlerEntry e : handlers) {
            boolean exact = e.names().contains(withArg);
            if (!exact && !e.names().contains(service)) {
                continue;
            }
            if (best == null || exact && !bestExact || exact == bestExact && e.ranked().compareTo(best.ranked()) < 0) {
                best = e;
                bestExact = exact;
            }
        }
        return best == null ? Optional.empty() : Optional.of(best.ranked().service());
    }

    @Override
    public Optional<AskPrompt> askPrompt() {
        return Optional.ofNullable(askPrompt);
    }

    @Override
    public Optional<DisposableVmService> disposables() {
        return Optional.ofNullable(disposableVms);
    }

    @Override
    public java.util.concurrent.Executor executor() {
        return executor;
    }

    @Override
    public DaemonSettings settings() {
        return settings;
    }
}
