package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.internal.link.AgentLink;
import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.internal.link.MuxAgentLink;
import io.bulkhead.core.qrexec.protocol.ControlChecker;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import io.bulkhead.core.qrexec.protocol.ServiceParams;
import io.bulkhead.core.qrexec.protocol.TriggerServiceParams;
import io.bulkhead.core.qrexec.transport.QrexecChannel;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * dom0's side of one qube's agent link (the role of one qrexec-daemon process): the hello, the
 * control loop that receives the agent's call requests, and data connections towards the agent,
 * over whichever {@link AgentLink} carries them (the mux channel, or libvchan-socket sockets).
 *
 * <p>A protocol violation on the control link closes this link only (logged once); floods of
 * calls are refused beyond {@link DaemonSettings#maxPendingCalls()} and the rate limit, with a
 * log line at most every few seconds.
 */
final class AgentSession {
    private static final System.Logger LOG = System.getLogger(AgentSession.class.getName());
    private static final long FLOOD_LOG_INTERVAL_NANOS = 5_000_000_000L;

    private final String qube;
    private final int domainId;
    private final AgentLink link;
    private final int version;
    private final DaemonSettings settings;
    private final Executor executor;
    private final CallRateLimiter limiter;
    private final Set<String> pendingIdents = new HashSet<>();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private volatile long lastFloodLog;

    private final ControlChecker checker;

    private AgentSession(String qube, int domainId, AgentLink link, ControlChecker checker, DaemonSettings settings,
            Executor executor) {
        this.qube = qube;
        this.domainId = domainId;
        this.link = link;
        this.checker = checker;
        this.version = checker.version();
        this.settings = settings;
        this.executor = executor;
        this.limiter = new CallRateLimiter(settings.callsPerSecond(), settings.callBurst());
    }

    /**
     * Opens the mux link over {@code channel} and performs the control hello. Closes the channel
     * on failure.
     */
    static AgentSession connect(String qube, int domainId, QrexecChannel channel, DaemonSettings settings,
            Executor executor) throws IOException {
        return connect(qube, domainId, MuxAgentLink.open(channel, settings.mux(), qube), settings, executor);
    }

    /**
     * Performs the control hello over {@code link}: the agent speaks first, dom0 answers (the
     * link decides with what, see {@link AgentLink#helloAnswer}); both use the minimum. Closes the
     * link on failure.
     */
    static AgentSession connect(String qube, int domainId, AgentLink link, DaemonSettings settings, Executor executor)
            throws IOException {
        try {
            Message hello = link.readControl(settings.helloTimeoutMillis());
            if (hello == null) {
                throw new IOException(qube + ": agent closed the control connection before its hello");
            }
            ControlChecker checker = new ControlChecker(ControlChecker.Sender.AGENT, ProtocolVersion.CURRENT);
            checker.accept(hello);
            link.writeControl(link.helloAnswer(hello));
            return new AgentSession(qube, domainId, link, checker, settings, executor);
        } catch (ProtocolException e) {
            link.fail("bad hello: " + e.getMessage());
            throw e;
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** Starts the control loop on its own thread; calls go to {@code handler}. */
    void serve(TriggerHandler handler) {
        Thread t = new Thread(() -> controlLoop(handler), "qrexec-control-" + qube);
        t.setDaemon(true);
        t.start();
    }

    private void controlLoop(TriggerHandler handler) {
        try {
            Message m;
            while ((m = link.readControl()) != null) {
                checker.accept(m);
                switch (m.type()) {
                    case MessageType.TRIGGER_SERVICE:
                    case MessageType.TRIGGER_SERVICE3:
                    case MessageType.TRIGGER_SERVICE4:
                        onTrigger(m, handler);
                        break;
                    case MessageType.CONNECTION_TERMINATED:
                        link.connectionTerminated(ExecParams.decodeWithoutCommand(m.payload()));
                        break;
                    default:
                        throw new AssertionError(m);
                }
            }
            LOG.log(System.Logger.Level.INFO, "{0}: agent closed its control connection", qube);
            link.close();
        } catch (ProtocolException e) {
            link.fail("control connection: " + e.getMessage());
        } catch (IOException e) {
            // usually the link closed (qube stopped, detached, or failed: already logged by the link);
            // a connection that broke under us (a vchan socket reset) must not stay registered
            if (link.isOpen()) {
                LOG.log(System.Logger.Level.INFO, "{0}: control connection broke: {1}", qube, e.getMessage());
                link.close();
            }
        }
    }

    private void onTrigger(Message m, TriggerHandler handler) throws IOException {
        TriggerServiceParams.Decoded d = TriggerServiceParams.decode(m.type(), m.payload());
        if (!d.isValid()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: refusing invalid call request: {1}", qube, d.problem());
            link.writeControl(new Message(MessageType.SERVICE_REFUSED, d.refusalPayload()));
            return;
        }
        TriggerServiceParams request = d.params();
        String ident = request.ident();
        String refusal = null;
        synchronized (pendingIdents) {
            if (pendingIdents.contains(ident)) {
                refusal = "duplicate request ident '" + ident + "'";
            } else if (pendingIdents.size() >= settings.maxPendingCalls()) {
                refusal = "too many pending calls (" + settings.maxPendingCalls() + ")";
            } else if (!limiter.tryAcquire()) {
                refusal = "call rate above " + settings.callsPerSecond() + "/s";
            } else {
                pendingIdents.add(ident);
            }
        }
        if (refusal != null) {
            logFlood(refusal);
            link.writeControl(new Message(MessageType.SERVICE_REFUSED, d.refusalPayload()));
            return;
        }
        PendingCall call = new PendingCall(ident, request.serviceName(), request.targetDomain());
        try {
            executor.execute(() -> {
                try {
                    handler.route(this, call, request);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, qube + ": routing " + call + " failed", e);
                } finally {
                    call.refuse("router did not answer");
                }
            });
        } catch (RejectedExecutionException e) {
            call.refuse("daemon shutting down");
        }
    }

    private void logFlood(String reason) {
        long n = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastFloodLog > FLOOD_LOG_INTERVAL_NANOS) {
            lastFloodLog = now;
            refusedSinceLog.set(0);
            LOG.log(System.Logger.Level.WARNING, "{0}: throttling service calls: {1} ({2} refused since the last report)",
                    qube, reason, n);
        }
    }

    /** Sends a control message to the agent. */
    void sendControl(int type, byte[] payload) throws IOException {
        link.writeControl(new Message(type, payload));
    }

    /** Allocates a data connection for a command or service this agent is to run. */
    DataConnection openExecConnection() throws IOException {
        return link.openExecConnection();
    }

    /** Allocates a data connection for a call of this agent's client. */
    DataConnection openCallerConnection() throws IOException {
        return link.openCallerConnection();
    }

    /**
     * Sends {@code MSG_EXEC_CMDLINE} or {@code MSG_JUST_EXEC} for {@code connection}.
     *
     * @param farEndDomainId who calls: 0 for dom0, else the calling qube's id
     */
    void sendExec(int type, DataConnection connection, int farEndDomainId, String commandLine) throws IOException {
        byte[] payload = new ExecParams(link.announcedDomain(farEndDomainId), connection.port(), commandLine).encode();
        sendControl(type, payload);
        connection.markAnnounced();
    }

    String qube() {
        return qube;
    }

    int domainId() {
        return domainId;
    }

    int version() {
        return version;
    }

    AgentLink link() {
        return link;
    }

    boolean isOpen() {
        return link.isOpen();
    }

    void close() {
        link.close();
    }

    /** A call request of this agent that must be answered exactly once. */
    final class PendingCall {
        private final String ident;
        private final String service;
        private final String target;
        private final AtomicBoolean answered = new AtomicBoolean();

        private PendingCall(String ident, String service, String target) {
            this.ident = ident;
            this.service = service;
            this.target = target;
        }

        /**
         * Sends {@code MSG_SERVICE_CONNECT}: the caller's data connection is {@code connection}.
         *
         * @param farEndDomainId the service side: 0 for dom0, else the target qube's id
         * @return false if the call was already answered (nothing sent)
         */
        boolean connect(DataConnection connection, int farEndDomainId) throws IOException {
            if (!answer()) {
                return false;
            }
            sendControl(MessageType.SERVICE_CONNECT,
                    ExecParams.encodeServiceConnect(link.announcedDomain(farEndDomainId), connection.port(), ident));
            connection.markAnnounced();
            return true;
        }

        /** Sends {@code MSG_SERVICE_REFUSED} unless already answered; never throws. */
        void refuse(String reason) {
            if (answer()) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: refused {1}: {2}", qube, this, reason);
                try {
                    sendControl(MessageType.SERVICE_REFUSED, ServiceParams.encode(ident));
                } catch (IOException e) {
                    // link gone: the caller is gone too
                }
            }
        }

        private boolean answer() {
            if (!answered.compareAndSet(false, true)) {
                return false;
            }
            synchronized (pendingIdents) {
                pendingIdents.remove(ident);
            }
            return true;
        }

        String ident() {
            return ident;
        }

        @Override
        public String toString() {
            return "call " + service + " from " + qube + " to '" + target + "' (ident " + ident + ")";
        }
    }
}
