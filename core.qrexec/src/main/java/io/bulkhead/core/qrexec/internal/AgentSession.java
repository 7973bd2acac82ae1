package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.mux.MuxLink;
import io.bulkhead.core.qrexec.mux.MuxStream;
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
 * control loop that receives the agent's call requests, and data streams towards the agent.
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
    private final MuxLink link;
    private final int version;
    private final DaemonSettings settings;
    private final Executor executor;
    private final CallRateLimiter limiter;
    private final Set<String> pendingIdents = new HashSet<>();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private volatile long lastFloodLog;

    private final ControlChecker checker;

    private AgentSession(String qube, int domainId, MuxLink link, ControlChecker checker, DaemonSettings settings,
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
     * Opens the mux link over {@code channel} and performs the control hello: the agent speaks
     * first, dom0 answers with its own version; both use the minimum. Closes the channel on
     * failure.
     */
    static AgentSession connect(String qube, int domainId, QrexecChannel channel, DaemonSettings settings,
            Executor executor) throws IOException {
        MuxConfig mux = settings.mux();
        MuxLink link = MuxLink.open(channel, MuxLink.Role.HOST, mux, qube);
        try {
            link.start();
            Message hello = link.control().read(settings.helloTimeoutMillis());
            if (hello == null) {
                throw new IOException(qube + ": agent closed the control connection before its hello");
            }
            ControlChecker checker = new ControlChecker(ControlChecker.Sender.AGENT, ProtocolVersion.CURRENT);
            checker.accept(hello);
            link.control().write(Message.hello(ProtocolVersion.CURRENT));
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
            while ((m = link.control().read()) != null) {
                checker.accept(m);
                switch (m.type()) {
                    case MessageType.TRIGGER_SERVICE:
                    case MessageType.TRIGGER_SERVICE3:
                    case MessageType.TRIGGER_SERVICE4:
                        onTrigger(m, handler);
                        break;
                    case MessageType.CONNECTION_TERMINATED:
                        ExecParams p = ExecParams.decodeWithoutCommand(m.payload());
                        if (p.connectPort() < 1 || p.connectPort() > 0xFFFF) {
                            throw new ProtocolException("MSG_CONNECTION_TERMINATED for invalid port "
                                    + Integer.toUnsignedString(p.connectPort()));
                        }
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
            // link closed (qube stopped, detached, or failed: already logged by the link)
        }
    }

    private void onTrigger(Message m, TriggerHandler handler) throws IOException {
        TriggerServiceParams.Decoded d = TriggerServiceParams.decode(m.type(), m.payload());
        if (!d.isValid()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: refusing invalid call request: {1}", qube, d.problem());
            link.control().write(new Message(MessageType.SERVICE_REFUSED, d.refusalPayload()));
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
            link.control().write(new Message(MessageType.SERVICE_REFUSED, d.refusalPayload()));
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
        link.control().write(type, payload, 0, payload.length);
    }

    /** Allocates a data stream towards this agent. */
    MuxStream openStream() throws IOException {
        return link.openStream();
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

    MuxLink link() {
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

        /** Sends {@code MSG_SERVICE_CONNECT}: the caller's data connection is stream {@code port}. */
        void connect(int peerDomainId, int port) throws IOException {
            if (answer()) {
                sendControl(MessageType.SERVICE_CONNECT, ExecParams.encodeServiceConnect(peerDomainId, port, ident));
            }
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
