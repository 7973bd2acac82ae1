package io.bulkhead.agent.internal;

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
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The agent's side of one connection to dom0: says hello first, then serves dom0's control
 * messages (commands to run, answers to this qube's own calls) until the link ends.
 */
final class GuestSession {
    private static final long HELLO_TIMEOUT_MILLIS = 30_000;

    private final MuxLink link;
    private final ExecHandler exec;
    private final ClientListener clients;
    private final ExecutorService pool;
    private final Log log;
    private final Runnable afterHello;
    /** Read by one thread at a time: the reader hands it on through the pool (a happens-before edge). */
    private final ControlChecker checker = new ControlChecker(ControlChecker.Sender.DAEMON, ProtocolVersion.CURRENT);
    /** Counted down when the control connection has ended. */
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile int version;

    /** @param afterHello run once the hellos are exchanged, before the first message from dom0 is served */
    GuestSession(MuxLink link, ExecHandler exec, ClientListener clients, ExecutorService pool, Log log, Runnable afterHello) {
        this.link = link;
        this.exec = exec;
        this.clients = clients;
        this.pool = pool;
        this.log = log;
        this.afterHello = afterHello;
    }

    /** Runs until dom0 goes away or breaks the protocol. */
    void run() {
        try {
            link.control().write(Message.hello(ProtocolVersion.CURRENT));
            Message hello = link.control().read(HELLO_TIMEOUT_MILLIS);
            if (hello == null) {
                log.warn("dom0 closed the control connection before its hello");
                link.close();
                return;
            }
            checker.accept(hello);
            version = checker.version();
            log.info("connected to dom0, protocol version " + version);
            afterHello.run();
        } catch (ProtocolException e) {
            link.fail("control connection: " + e.getMessage());
            return;
        } catch (IOException e) {
            log.info("connection to dom0 lost: " + e.getMessage());
            link.close();
            return;
        }
        serveControl();
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            link.close();
        }
    }

    /**
     * Reads dom0's control messages until the link ends. A command is started on the thread that
     * read it (leader and followers): under TCG each thread wake-up costs 0.3-0.7 ms, so the
     * command does not wait for one. Handed to a warm shell, whose pumps stream it, the command
     * goes on without this thread, which reads on. Otherwise another pool thread takes over the
     * reading before the command could wait for anything ({@link ExecHandler#handle}); until
     * then further control messages wait in the queue.
     */
    private void serveControl() {
        boolean handedOn = false;
        try {
            Message m;
            while ((m = link.control().read()) != null) {
                checker.accept(m);
                if (m.type() == MessageType.EXEC_CMDLINE || m.type() == MessageType.JUST_EXEC) {
                    long arrived = System.nanoTime();
                    // when the link's reader queued it: the gap is the handoff to this thread
                    long received = link.control().lastDeliveryNanos();
                    ExecParams params = ExecParams.decode(m.payload());
                    MuxStream stream = link.stream(params.connectPort());
                    HandOn handOn = new HandOn();
                    try {
                        exec.handle(this, m.type(), params, stream, received, arrived, handOn);
                    } finally {
                        handedOn = handOn.done;
                    }
                    if (handedOn) {
                        return;
                    }
                    // the command goes on without this thread (a warm shell's pumps): read on
                    continue;
                }
                dispatch(m);
            }
            log.info("dom0 ended the control connection");
        } catch (ProtocolException e) {
            link.fail("control connection: " + e.getMessage());
        } catch (IOException e) {
            log.info("connection to dom0 lost: " + e.getMessage());
        } finally {
            if (!handedOn) {
                link.close();
                ended.countDown();
            }
        }
    }

    /** Gives the reading of control messages to a pool thread; runs once, later calls do nothing. */
    private final class HandOn implements Runnable {
        private boolean done;

        @Override
        public void run() {
            if (done) {
                return;
            }
            done = true;
            try {
                pool.execute(GuestSession.this::serveControl);
            } catch (RejectedExecutionException e) {
                // the agent is closing
                link.close();
                ended.countDown();
            }
        }
    }

    private void dispatch(Message m) throws IOException {
        switch (m.type()) {
            case MessageType.SERVICE_CONNECT: {
                ExecParams params = ExecParams.decodeServiceConnect(m.payload());
                clients.connected(params.command(), params.connectDomain(), params.connectPort(), this);
                break;
            }
            case MessageType.SERVICE_REFUSED:
                clients.refused(ServiceParams.decode(m.payload()));
                break;
            default:
                throw new AssertionError(m);
        }
    }

    /** Forwards a call of a local client to dom0 in the message type of the negotiated version. */
    void trigger(TriggerServiceParams request) throws IOException {
        int type = TriggerServiceParams.messageTypeFor(version);
        try {
            byte[] payload = request.encode(type);
            link.control().write(type, payload, 0, payload.length);
        } catch (IllegalArgumentException e) {
            throw new IOException("request does not fit protocol version " + version + ": " + e.getMessage());
        }
    }

    /** Tells dom0 that the data connection on {@code port} is finished ({@code MSG_CONNECTION_TERMINATED}). */
    void connectionTerminated(int domain, int port) {
        try {
            link.control().write(new Message(MessageType.CONNECTION_TERMINATED, new ExecParams(domain, port, null).encode()));
        } catch (IOException e) {
            // dom0 gone: nothing to release
        }
    }

    MuxStream stream(int port) throws IOException {
        return link.stream(port);
    }

    boolean isOpen() {
        return link.isOpen();
    }

    void close() {
        link.close();
    }
}
