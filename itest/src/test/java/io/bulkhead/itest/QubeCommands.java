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
        return run(qrexec, qube, command, new byte[0]);
    }

    /** Runs {@code command} with {@code stdin} as its input (written while its output is read). */
    static Result run(QrexecService qrexec, String qube, String command, byte[] stdin) throws Exception {
        RemoteProcess process = qrexec.exec(qube, "root", command);
        CompletableFuture<Void> input = CompletableFuture.runAsync(() -> {
            try (var out = process.stdin()) {
                out.write(stdin);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.stderr()));
        String stdout = read(process.stdout());
        input.get();
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
