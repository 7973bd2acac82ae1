package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.RemoteProcess;
import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.internal.link.MessageChunkOutputStream;
import io.bulkhead.core.qrexec.protocol.DataStreamChecker;
import io.bulkhead.core.qrexec.protocol.ExitStatus;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * dom0's end of a data connection to a command or service it started in a qube: dom0 is the
 * caller (sends stdin), the agent the service side. A pump thread reads the stream, checks the
 * service-side rules and fills the stdout/stderr pipes.
 */
final class RemoteProcessImpl implements RemoteProcess {
    private static final System.Logger LOG = System.getLogger(RemoteProcessImpl.class.getName());

    private final DataConnection stream;
    private final String description;
    private final BoundedPipe stdout;
    private final BoundedPipe stderr;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final CountDownLatch hello = new CountDownLatch(1);
    /** Our hello went out (or could not): stdin's EOF may follow it without the agent's hello. */
    private final CountDownLatch ownHelloWritten = new CountDownLatch(1);
    private volatile boolean ownHelloFailed;
    private final Stdin stdin = new Stdin();
    private volatile int version;
    private volatile IOException helloFailure;

    RemoteProcessImpl(DataConnection stream, String description, int pipeCapacity) {
        this.stream = stream;
        this.description = description;
        this.stdout = new BoundedPipe(pipeCapacity);
        this.stderr = new BoundedPipe(pipeCapacity);
    }

    /**
     * Sends our hello now, before the request is announced, where the connection allows it
     * ({@link DataConnection#isOpenBeforeAnnounce()}): the agent then finds it together with the
     * request instead of in a second delivery. Otherwise the pump sends it.
     */
    void sendHelloEarly() throws IOException {
        writeOwnHello();
    }

    /**
     * Starts the pump, which sends our hello first unless {@link #sendHelloEarly} did: on a
     * transport where the connection is established only when the agent connects, the caller of
     * exec does not wait for that.
     */
    void start(Executor executor) {
        executor.execute(this::pump);
    }

    private void writeOwnHello() throws IOException {
        try {
            stream.write(Message.hello(ProtocolVersion.CURRENT));
        } catch (IOException e) {
            ownHelloFailed = true;
            throw e;
        } finally {
            ownHelloWritten.countDown();
        }
    }

    private void pump() {
        DataStreamChecker checker = new DataStreamChecker(DataStreamChecker.Sender.SERVICE, ProtocolVersion.CURRENT);
        IOException problem = null;
        try {
            if (ownHelloWritten.getCount() > 0) {
                writeOwnHello();
            } else if (ownHelloFailed) {
                throw new IOException(description + ": could not send the data hello");
            }
            Message m;
            while ((m = stream.read()) != null) {
                checker.accept(m);
                switch (m.type()) {
                    case MessageType.HELLO:
                        version = checker.version();
                        hello.countDown();
                        break;
                    case MessageType.DATA_STDOUT:
                        deliver(stdout, m);
                        break;
                    case MessageType.DATA_STDERR:
                        deliver(stderr, m);
                        break;
                    case MessageType.DATA_EXIT_CODE:
                        // implied EOFs: an agent may send the exit code without them (MSG_JUST_EXEC)
                        stdout.finish();
                        stderr.finish();
                        exit.complete(ExitStatus.decode(m.payload()));
                        break;
                    default:
                        throw new AssertionError(m);
                }
            }
        } catch (ProtocolException e) {
            problem = e;
            stream.failLink("data connection " + stream.port() + " (" + description + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = new InterruptedIOException("interrupted");
        } catch (IOException e) {
            problem = e;
        } finally {
            if (!exit.isDone()) {
                IOException cause = problem != null ? problem
                        : new IOException(description + ": connection ended without an exit code");
                LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", description, cause.getMessage());
                helloFailure = cause;
                stdout.fail(cause);
                stderr.fail(cause);
                exit.complete(ExitStatus.PROBLEM);
            }
            hello.countDown();
            ownHelloWritten.countDown();
            stream.close();
        }
    }

    private static void deliver(BoundedPipe pipe, Message m) throws InterruptedException {
        if (m.length() == 0) {
            pipe.finish();
        } else {
            pipe.put(m.payload());
        }
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout.input();
    }

    @Override
    public InputStream stderr() {
        return stderr.input();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (!exit.isDone()) {
            stream.abort();
        }
        stream.close();
    }

    @Override
    public String toString() {
        return "RemoteProcess[" + description + "]";
    }

    /**
     * stdin: waits for the agent's hello to know the chunk size, then writes STDIN messages. Its
     * end alone needs no chunk size: closed before anything was written, it goes out right after
     * our hello (commands run with empty stdin do not wait for a round trip to the agent first).
     */
    private final class Stdin extends OutputStream {
        private MessageChunkOutputStream out;
        private boolean closed;

        private MessageChunkOutputStream out() throws IOException {
            if (closed) {
                throw new IOException(description + ": stdin is closed");
            }
            if (out == null) {
                try {
                    hello.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the agent's hello");
                }
                if (version == 0) {
                    IOException f = helloFailure;
                    throw new IOException(description + ": no data hello from the agent" + (f == null ? "" : ": " + f.getMessage()));
                }
                out = new MessageChunkOutputStream(stream, MessageType.DATA_STDIN, ProtocolVersion.maxDataChunk(version));
            }
            return out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out().write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out().write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            out().flush();
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed || exit.isDone() && out == null) {
                return;
            }
            try {
                if (out == null) {
                    endWithoutData();
                } else {
                    out.close();
                }
                closed = true;
            } catch (IOException e) {
                if (!exit.isDone() && !stream.isAbortedByPeer()) {
                    throw e;
                }
                // the remote side ended or stopped reading: its stdin is gone anyway (as closing a dead process' pipe)
            }
        }

        private void endWithoutData() throws IOException {
            try {
                ownHelloWritten.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending the data hello");
            }
            if (ownHelloFailed) {
                throw new IOException(description + ": could not send the data hello");
            }
            stream.write(Message.eof(MessageType.DATA_STDIN));
        }
    }
}
