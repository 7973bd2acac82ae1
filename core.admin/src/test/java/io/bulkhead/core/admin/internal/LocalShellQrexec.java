package io.bulkhead.core.admin.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.bulkhead.core.qrexec.transport.QrexecChannel;
import io.bulkhead.core.qrexec.QrexecException;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.core.qrexec.RemoteProcess;

/** Test double of qrexec: "runs in the qube" by running the command in a local shell. */
final class LocalShellQrexec implements QrexecService {

    @Override
    public RemoteProcess exec(String qube, String user, String command) throws QrexecException {
        try {
            Process process = new ProcessBuilder("sh", "-c", command).start();
            return new RemoteProcess() {
                @Override
                public OutputStream stdin() {
                    return process.getOutputStream();
                }

                @Override
                public InputStream stdout() {
                    return process.getInputStream();
                }

                @Override
                public InputStream stderr() {
                    return process.getErrorStream();
                }

                @Override
                public CompletableFuture<Integer> onExit() {
                    return process.onExit().thenApply(Process::exitValue);
                }

                @Override
                public int waitFor() throws InterruptedException {
                    return process.waitFor();
                }

                @Override
                public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
                    return process.waitFor(timeout, unit);
                }

                @Override
                public void close() {
                    process.destroy();
                }
            };
        } catch (IOException e) {
            throw new QrexecException("cannot start: " + e.getMessage());
        }
    }

    @Override
    public RemoteProcess callService(String qube, String user, String serviceAndArgument) throws QrexecException {
        throw new QrexecException("no services in this test double");
    }

    @Override
    public int justExec(String qube, String user, String command) throws QrexecException {
        throw new QrexecException("not used");
    }

    @Override
    public boolean isConnected(String qube) {
        return true;
    }

    @Override
    public Set<String> connectedQubes() {
        return Set.of();
    }

    @Override
    public boolean awaitAgent(String qube, Duration timeout) {
        return true;
    }

    @Override
    public void attach(String qube, int domainId, QrexecChannel channel) {
        throw new UnsupportedOperationException("not used by the Admin API tests");
    }

    @Override
    public void detach(String qube) {
    }
}
