package io.bulkhead.itest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.core.qrexec.RemoteProcess;

/** Runs a shell command in a running qube as root through qrexec and collects what it printed. */
final class QubeCommands {

    private QubeCommands() {
    }

    static Result run(QrexecService qrexec, String qube, String command) throws Exception {
        RemoteProcess process = qrexec.exec(qube, "root", command);
        process.stdin().close();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.stderr()));
        String stdout = read(process.stdout());
        return new Result(process.waitFor(), stdout, stderr.get());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What a command printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {
    }
}
