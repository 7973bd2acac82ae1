package io.bulkhead.agent.internal;

import io.bulkhead.core.qrexec.mux.MuxStream;
import io.bulkhead.core.qrexec.protocol.CommandLine;
import io.bulkhead.core.qrexec.protocol.DataStreamChecker;
import io.bulkhead.core.qrexec.protocol.ExecParams;
import io.bulkhead.core.qrexec.protocol.ExitStatus;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import io.bulkhead.core.qrexec.protocol.QrexecNames;
import io.bulkhead.core.qrexec.protocol.ServiceCall;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one {@code MSG_EXEC_CMDLINE} or {@code MSG_JUST_EXEC} from dom0: the agent is the service
 * side of the data stream named by the request's port. Shell commands run with the user's shell;
 * {@code QUBESRPC} calls run the service file found by {@link ServiceLocator} (executable or
 * socket). Exit statuses follow Qubes: the process status, 127 for a missing service, 125 for
 * everything else that goes wrong before the process runs.
 */
final class ExecHandler {
    private static final long HELLO_TIMEOUT_MILLIS = 30_000;
    /** Stdin up to this size that has fully arrived is fed without a thread; well below a pipe's capacity. */
    private static final int INLINE_STDIN_LIMIT = 4096;
    /**
     * How long the EOF of the output that ended last waits for the process to exit, to go out
     * with its status: only a process that closes its outputs and runs on delays its EOF.
     */
    private static final long LAST_EOF_WAIT_MILLIS = 20;

    private final ServiceLocator locator;
    private final ProcessLauncher launcher;
    private final WarmShells warmShells;
    private final ExecutorService pool;
    private final Log log;

    ExecHandler(ServiceLocator locator, ProcessLauncher launcher, WarmShells warmShells, ExecutorService pool, Log log) {
        this.locator = locator;
        this.launcher = launcher;
        this.warmShells = warmShells;
        this.pool = pool;
        this.log = log;
    }

    /**
     * Serves the request on {@code stream}; closes it and reports the end to {@code session}.
     *
     * @param receivedNanos when the link's reader queued the request (debug timing starts there)
     * @param arrivedNanos  when the session's thread read it
     * @param handOn        hands the reading of dom0's control messages on to another thread (see
     *                      {@link GuestSession}): run, on this thread, before anything that may
     *                      wait (dom0's hello not there yet, a warm shell still being spawned, a
     *                      spawn, a service, streaming on this thread); idempotent. Not run when
     *                      a warm shell's pumps take the call over: this method then returns at
     *                      once and the caller reads on.
     */
    void handle(GuestSession session, int type, ExecParams params, MuxStream stream, long receivedNanos, long arrivedNanos,
            Runnable handOn) {
        Timing timing = log.isDebug() ? new Timing(receivedNanos != 0 && receivedNanos <= arrivedNanos ? receivedNanos : arrivedNanos) : null;
        if (timing != null) {
            timing.markAt("dispatched", arrivedNanos);
        }
        mark(timing, "handling");
        String shellUser = null;
        boolean goesOn = false;
        Replies out = new Replies(stream, Message.hello(ProtocolVersion.CURRENT));
        try {
            DataStreamChecker caller = new DataStreamChecker(DataStreamChecker.Sender.CALLER, ProtocolVersion.CURRENT);
            if (!stream.hasQueuedThrough(m -> true, Integer.MAX_VALUE)) {
                // the caller's hello is not there yet: ours first (a caller may wait for it), then wait
                out.sendHello();
                handOn.run();
            }
            Message hello = stream.read(HELLO_TIMEOUT_MILLIS);
            if (hello == null) {
                return;
            }
            caller.accept(hello);
            mark(timing, "hello");
            CommandLine cl;
            try {
                cl = CommandLine.parse(params.command());
            } catch (ProtocolException e) {
                log.error("cannot parse command line from dom0: " + e.getMessage());
                fail(out, type, ExitStatus.PROBLEM);
                return;
            }
            if (type == MessageType.JUST_EXEC) {
                handOn.run();
                int status = justExec(cl);
                out.deferHello();
                out.write(Message.exitCode(status));
            } else {
                if (!cl.isService()) {
                    shellUser = cl.user();
                }
                String user = shellUser;
                goesOn = run(cl, stream, out, caller, timing, handOn,
                        () -> endCall(session, params, stream, timing, user));
            }
            if (!goesOn) {
                stream.end();
                mark(timing, "end");
            }
        } catch (ProtocolException e) {
            stream.link().fail("data stream " + stream.id() + ": " + e.getMessage());
        } catch (IOException e) {
            log.debug("data stream " + stream.id() + ": " + e.getMessage());
        } finally {
            if (!goesOn) {
                handOn.run();
                endCall(session, params, stream, timing, shellUser);
            }
        }
    }

    /** The end of a call, however it went: frees the stream, tells dom0, reserves the user's next warm shell. */
    private void endCall(GuestSession session, ExecParams params, MuxStream stream, Timing timing, String shellUser) {
        stream.close();
        session.connectionTerminated(params.connectDomain(), params.connectPort());
        if (timing != null) {
            mark(timing, "terminated");
            log.debug("exec timing (us since the link received the request): " + timing);
        }
        if (shellUser != null && warmShells != null) {
            // after the command, not while it runs: the next spawn would compete with it for the vCPU
            warmShells.replenish(shellUser);
        }
    }

    private static void mark(Timing timing, String step) {
        Timing.mark(timing, step);
    }

    private int justExec(CommandLine cl) {
        try {
            if (!cl.isService()) {
                launcher.shell(cl.user(), cl.command(), Map.of(), true);
                log.info("executed (nowait): " + cl.command());
                return ExitStatus.OK;
            }
            ServiceCall sc = cl.service();
            Optional<ServiceLocator.ServiceFile> file = resolve(sc);
            if (file.isEmpty()) {
                return ExitStatus.SERVICE_NOT_FOUND;
            }
            switch (file.get().kind()) {
                case EXECUTABLE:
                    launcher.executable(cl.user(), file.get().path(), sc.argument(), serviceEnv(sc), true);
                    return ExitStatus.OK;
                case SOCKET:
                    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        ch.connect(UnixDomainSocketAddress.of(file.get().path()));
                        writeAll(ch, (sc.socketDescriptor() + "\0").getBytes(StandardCharsets.UTF_8));
                    }
                    return ExitStatus.OK;
                default:
                    return ExitStatus.PROBLEM;
            }
        } catch (IOException e) {
            log.warn("just-exec failed: " + e.getMessage());
            return ExitStatus.PROBLEM;
        }
    }

    /**
     * Runs the command or service and streams it.
     *
     * @param endCall run once the call has ended when this returns {@code true}
     * @return whether the call goes on without this thread (see {@link #pumpProcess})
     */
    private boolean run(CommandLine cl, MuxStream stream, Replies out, DataStreamChecker caller, Timing timing, Runnable handOn,
            Runnable endCall) throws IOException {
        Process process;
        WarmShell warm = null;
        if (cl.isService()) {
            handOn.run();
            ServiceCall sc = cl.service();
            Optional<ServiceLocator.ServiceFile> file = resolve(sc);
            if (file.isEmpty()) {
                fail(out, MessageType.EXEC_CMDLINE, ExitStatus.SERVICE_NOT_FOUND);
                return false;
            }
            if (file.get().kind() == ServiceLocator.Kind.SOCKET) {
                socketService(file.get(), sc, stream, out, caller);
                return false;
            }
            if (file.get().kind() != ServiceLocator.Kind.EXECUTABLE) {
                log.error("service " + sc.descriptor() + ": " + file.get().path() + ": " + file.get().detail());
                fail(out, MessageType.EXEC_CMDLINE, ExitStatus.PROBLEM);
                return false;
            }
            try {
                process = launcher.executable(cl.user(), file.get().path(), sc.argument(), serviceEnv(sc), false);
            } catch (IOException e) {
                log.error("cannot start service " + sc.descriptor() + ": " + e.getMessage());
                fail(out, MessageType.EXEC_CMDLINE, ExitStatus.PROBLEM);
                return false;
            }
            log.info("executing " + sc.descriptor() + " for " + sc.sourceDomain() + " as " + cl.user());
        } else {
            try {
                ShellPlan plan = launcher.shellPlan(cl.user());
                mark(timing, "planned");
                if (warmShells == null || !warmShells.hasReady(plan.user())) {
                    handOn.run();
                }
                warm = warmShell(plan, cl.command(), timing);
                if (warm != null) {
                    process = warm.process();
                    mark(timing, "warm");
                } else {
                    handOn.run();
                    process = launcher.shell(plan, cl.command(), Map.of(), false);
                    mark(timing, "spawned");
                }
            } catch (IOException e) {
                handOn.run();
                log.error("cannot start command: " + e.getMessage());
                fail(out, MessageType.EXEC_CMDLINE, ExitStatus.PROBLEM);
                return false;
            }
        }
        if (warm == null) {
            handOn.run();
        }
        return pumpProcess(process, warm, stream, out, caller, timing, cl.isService() ? null : cl.user(), endCall);
    }

    /** The warm shell running the command, or {@code null} when it must be spawned. */
    private WarmShell warmShell(ShellPlan plan, String command, Timing timing) throws IOException {
        if (warmShells == null) {
            return null;
        }
        try {
            return warmShells.run(plan, command, timing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a warm shell");
        }
    }

    /** Validates the names and looks the service up; empty when it does not exist or is invalid. */
    private Optional<ServiceLocator.ServiceFile> resolve(ServiceCall sc) {
        String problem = QrexecNames.serviceRequestProblem(sc.descriptor());
        if (problem != null || sc.serviceName().equals(".") || sc.serviceName().equals("..")) {
            log.error("refusing service '" + sc.descriptor() + "': " + (problem != null ? problem : "invalid name"));
            return Optional.empty();
        }
        Optional<ServiceLocator.ServiceFile> f = locator.find(sc.serviceName(), sc.argument());
        if (f.isEmpty()) {
            log.error("service not found: " + sc.descriptor());
        }
        return f;
    }

    private static Map<String, String> serviceEnv(ServiceCall sc) {
        Map<String, String> env = new HashMap<>();
        env.put("QREXEC_SERVICE_FULL_NAME", sc.descriptor());
        env.put("QREXEC_REMOTE_DOMAIN", sc.sourceDomain());
        env.put("QREXEC_SERVICE_ARGUMENT", sc.argument());
        env.put("QREXEC_REQUESTED_TARGET_TYPE", sc.requestedTargetType());
        if (sc.requestedTargetType().equals("name")) {
            env.put("QREXEC_REQUESTED_TARGET", sc.requestedTarget());
        } else if (sc.requestedTargetType().equals("keyword")) {
            env.put("QREXEC_REQUESTED_TARGET_KEYWORD", sc.requestedTarget());
        }
        env.put("QREXEC_AGENT_PID", Long.toString(ProcessHandle.current().pid()));
        return env;
    }

    /** The service side failed before producing output: both EOFs, then the status (as Qubes). */
    private static void fail(Replies out, int type, int status) throws IOException {
        out.deferHello(); // nothing more is read from the caller: one write for all
        if (type == MessageType.EXEC_CMDLINE) {
            out.write(Message.eof(MessageType.DATA_STDOUT));
            out.write(Message.eof(MessageType.DATA_STDERR));
        }
        out.write(Message.exitCode(status));
    }

    /**
     * Streams the process: stdin from the caller (on a pool thread unless all of it has already
     * arrived), then the exit status once both outputs ended and the process exited, as Qubes'
     * agent does. A warm shell's outputs are read by its pumps, which have been waiting since the
     * shell's spawn; the one that ends last ends the call, and this thread goes back to dom0's
     * control messages without waiting for a thread wake-up (under TCG 0.3-0.7 ms each).
     * Otherwise stderr has a pump on a pool thread and stdout is read on this one.
     *
     * @param warm      the warm shell running the command, or {@code null}
     * @param shellUser the user of a shell command, whose next warm shell is reserved once the
     *                  command has exited ({@link WarmShells#reserve}); {@code null} for services
     * @param endCall   run once the call has ended, when this returns {@code true}
     * @return whether the call goes on in the warm shell's pumps
     */
    private boolean pumpProcess(Process process, WarmShell warm, MuxStream stream, Replies out, DataStreamChecker caller,
            Timing timing, String shellUser, Runnable endCall) throws IOException {
        int chunk = ProtocolVersion.maxDataChunk(caller.version());
        if (feedArrivedStdin(stream, caller, process.getOutputStream())) {
            // nothing more to wait for from the caller: our hello can go out with the first output
            out.deferHello();
        } else {
            out.sendHello();
            pool.execute(() -> feedStdin(stream, caller, process.getOutputStream()));
        }
        AtomicInteger openOutputs = new AtomicInteger(2);
        if (warm != null) {
            OutputPump stdout = warm.stdout();
            OutputPump stderr = warm.stderr();
            Thread self = Thread.currentThread();
            // the last mark on this thread: from here on the pumps' threads mark (Timing is not thread-safe)
            mark(timing, "pumping");
            stderr.attach(to(out, MessageType.DATA_STDERR, chunk, openOutputs, null));
            stdout.attach(to(out, MessageType.DATA_STDOUT, chunk, openOutputs, timing));
            // the call ends when both outputs ended, or at once when one of them could not be sent
            CompletableFuture<Void> broken = new CompletableFuture<>();
            stdout.endedLast().whenComplete((ended, failure) -> failIf(broken, failure));
            stderr.endedLast().whenComplete((ended, failure) -> failIf(broken, failure));
            CompletableFuture.anyOf(CompletableFuture.allOf(stdout.endedLast(), stderr.endedLast()), broken)
                    .whenComplete((ended, failure) -> {
                        Runnable end = () -> endAfterPumps(process, stdout, failure, stream, out, timing, shellUser, endCall);
                        if (Thread.currentThread() == self) {
                            // ended before this thread left: it must not wait for the exit here
                            try {
                                pool.execute(end);
                                return;
                            } catch (RejectedExecutionException e) {
                                // the agent is closing: end it here
                            }
                        }
                        end.run();
                    });
            return true;
        }
        OutputPump stderr = new OutputPump(process.getErrorStream());
        stderr.attach(to(out, MessageType.DATA_STDERR, chunk, openOutputs, null));
        pool.execute(stderr);
        mark(timing, "pumping");
        OutputPump stdout = new OutputPump(process.getInputStream());
        stdout.attach(to(out, MessageType.DATA_STDOUT, chunk, openOutputs, timing));
        boolean stdoutEndedLast = stdout.runHere();
        try {
            stderr.endedLast().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
        sendExit(process, stdoutEndedLast, out, timing, shellUser);
        return false;
    }

    private static void failIf(CompletableFuture<Void> broken, Throwable failure) {
        if (failure != null) {
            broken.completeExceptionally(failure);
        }
    }

    /** The end of a call whose outputs its warm shell's pumps read, on the thread of the pump that ended last. */
    private void endAfterPumps(Process process, OutputPump stdout, Throwable failure, MuxStream stream, Replies out, Timing timing,
            String shellUser, Runnable endCall) {
        try {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                throw new IOException(cause.getMessage(), cause);
            }
            sendExit(process, stdout.endedLast().join(), out, timing, shellUser);
            stream.end();
            mark(timing, "end");
        } catch (IOException e) {
            log.debug("data stream " + stream.id() + ": " + e.getMessage());
        } finally {
            endCall.run();
        }
    }

    /**
     * Sends the exit status once the process exited, with the EOF of the output that ended last
     * when the exit follows within {@link #LAST_EOF_WAIT_MILLIS}.
     */
    private void sendExit(Process process, boolean stdoutEndedLast, Replies out, Timing timing, String shellUser)
            throws IOException {
        mark(timing, "outputs-ended");
        Message lastEof = Message.eof(stdoutEndedLast ? MessageType.DATA_STDOUT : MessageType.DATA_STDERR);
        int status;
        try {
            // the last output's EOF waits for the exit (as a rule microseconds away) to go out with it
            if (!process.waitFor(LAST_EOF_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                out.write(lastEof);
                lastEof = null;
            }
            status = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            throw new IOException("interrupted");
        }
        mark(timing, "exited");
        if (shellUser != null && warmShells != null) {
            warmShells.reserve(shellUser);
        }
        // the last EOF, the status, END and RELEASE in one write: dom0 gets the command's end in one piece
        if (lastEof != null) {
            out.finish(lastEof, Message.exitCode(status));
        } else {
            out.finish(Message.exitCode(status));
        }
        mark(timing, "status");
    }

    /** Where an output of the command goes: messages of {@code type} on the call's stream. */
    private static OutputPump.Target to(Replies out, int type, int chunk, AtomicInteger openOutputs, Timing timing) {
        return new OutputPump.Target(new OutputPump.Sink() {
            @Override
            public void data(byte[] b, int off, int len) throws IOException {
                out.write(type, b, off, len);
            }

            @Override
            public void end() throws IOException {
                out.write(Message.eof(type));
            }
        }, chunk, openOutputs, timing);
    }

    /**
     * Feeds the caller's stdin on this thread when all of it (up to its EOF, at most
     * {@link #INLINE_STDIN_LIMIT} bytes) has already arrived, as with {@code true} or
     * {@code echo hi}: a pool thread less per command. The bytes fit into the pipe, so the write
     * cannot wait for the process.
     *
     * @return whether stdin was fed and closed
     */
    private boolean feedArrivedStdin(MuxStream stream, DataStreamChecker caller, OutputStream stdin) throws IOException {
        if (!stream.hasQueuedThrough(m -> m.length() == 0, INLINE_STDIN_LIMIT)) {
            return false;
        }
        feedStdin(stream, caller, stdin);
        return true;
    }

    /** Copies the caller's stdin into the process; keeps draining (discarding) after the process closed it. */
    private void feedStdin(MuxStream stream, DataStreamChecker caller, OutputStream stdin) {
        boolean open = true;
        try {
            Message m;
            while ((m = stream.read()) != null) {
                caller.accept(m);
                if (m.length() == 0) {
                    break;
                }
                if (open) {
                    try {
                        stdin.write(m.payload());
                        stdin.flush();
                    } catch (IOException e) {
                        open = false;
                    }
                }
            }
        } catch (ProtocolException e) {
            stream.link().fail("caller's stdin on stream " + stream.id() + ": " + e.getMessage());
        } catch (IOException e) {
            // stream aborted or closed: the call is over
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // the process is gone
            }
        }
    }

    /**
     * A socket service: connect, send the descriptor and a NUL, relay stdin to the socket and the
     * socket to stdout; stderr ends at once; exit status 0 when the socket closes.
     */
    private void socketService(ServiceLocator.ServiceFile file, ServiceCall sc, MuxStream stream, Replies out,
            DataStreamChecker caller)
            throws IOException {
        out.sendHello(); // the caller's stdin is relayed: it may wait for our hello
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(file.path()));
        } catch (IOException e) {
            log.error("cannot connect to socket service " + file.path() + ": " + e.getMessage());
            fail(out, MessageType.EXEC_CMDLINE, ExitStatus.PROBLEM);
            return;
        }
        log.info("connected " + sc.descriptor() + " for " + sc.sourceDomain() + " to socket " + file.path());
        try (ch) {
            writeAll(ch, (sc.socketDescriptor() + "\0").getBytes(StandardCharsets.UTF_8));
            out.write(Message.eof(MessageType.DATA_STDERR));
            int chunk = ProtocolVersion.maxDataChunk(caller.version());
            UnixSocketChannel socket = UnixSocketChannel.wrap(ch, file.path().toString());
            pool.execute(() -> feedStdin(stream, caller, socket.output()));
            OutputPump output = new OutputPump(socket.input());
            output.attach(to(out, MessageType.DATA_STDOUT, chunk, null, null));
            output.runHere();
            out.write(Message.exitCode(ExitStatus.OK));
        }
    }

    private static void writeAll(SocketChannel ch, byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
