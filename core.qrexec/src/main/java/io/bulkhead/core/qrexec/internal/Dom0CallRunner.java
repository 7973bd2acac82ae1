package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.Dom0RpcCall;
import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.internal.link.DataConnection;
import io.bulkhead.core.qrexec.internal.link.MessageChunkOutputStream;
import io.bulkhead.core.qrexec.protocol.DataStreamChecker;
import io.bulkhead.core.qrexec.protocol.ExitStatus;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolException;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import io.bulkhead.core.qrexec.protocol.ServiceCall;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Serves a call whose target is dom0 on the caller's data connection: dom0 is the service side
 * (hello, stdout, stderr, exit code), the handler found by service name does the work. No
 * handler: exit status 127, as a missing service file.
 */
final class Dom0CallRunner {
    private static final System.Logger LOG = System.getLogger(Dom0CallRunner.class.getName());

    private Dom0CallRunner() {
    }

    /** @return the exit status sent to the caller, 125 if the connection broke first */
    static int run(DataConnection stream, Dom0RpcHandler handler, ServiceCall call, long helloTimeoutMillis) {
        try {
            stream.write(Message.hello(ProtocolVersion.CURRENT));
            DataStreamChecker checker = new DataStreamChecker(DataStreamChecker.Sender.CALLER, ProtocolVersion.CURRENT);
            Message hello = stream.read(helloTimeoutMillis);
            if (hello == null) {
                throw new IOException("caller ended the connection before its hello");
            }
            try {
                checker.accept(hello);
            } catch (ProtocolException e) {
                stream.failLink("caller of " + call.descriptor() + ": " + e.getMessage());
                throw e;
            }
            int chunk = ProtocolVersion.maxDataChunk(checker.version());
            int status;
            try (OutputStream out = new Synced(new MessageChunkOutputStream(stream, MessageType.DATA_STDOUT, chunk));
                    OutputStream err = new Synced(new MessageChunkOutputStream(stream, MessageType.DATA_STDERR, chunk))) {
                if (handler == null) {
                    LOG.log(System.Logger.Level.INFO, "no dom0 handler for {0} (call from {1}): exit 127",
                            call.descriptor(), call.sourceDomain());
                    status = ExitStatus.SERVICE_NOT_FOUND;
                } else {
                    status = invoke(handler, new Dom0RpcCall(call.sourceDomain(), call.serviceName(), call.argument(),
                            call.requestedTarget(), call.requestedTargetType(), new StdinInputStream(stream, checker), out, err),
                            call);
                }
            }
            stream.write(Message.exitCode(status));
            stream.end();
            return status;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "dom0 service {0} from {1}: {2}", call.descriptor(), call.sourceDomain(), e.getMessage());
            return ExitStatus.PROBLEM;
        } finally {
            stream.close();
        }
    }

    private static int invoke(Dom0RpcHandler handler, Dom0RpcCall rpc, ServiceCall call) {
        try {
            return handler.handle(rpc);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "dom0 service " + call.descriptor() + " called by " + call.sourceDomain()
                    + " failed", e);
            return ExitStatus.PROBLEM;
        }
    }

    /** Handlers may write stdout and stderr from different threads; each writer is serialised. */
    private static final class Synced extends OutputStream {
        private final OutputStream out;
        private boolean closed;

        Synced(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                out.close();
            }
        }
    }
}
