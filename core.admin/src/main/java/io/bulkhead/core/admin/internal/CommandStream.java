package io.bulkhead.core.admin.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.internal.wire.ResponseEncoder;
import io.bulkhead.core.domains.QubesVMError;
import io.bulkhead.core.qrexec.QrexecException;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.core.qrexec.RemoteProcess;

/**
 * {@code bulkhead.vm.Run+USER} (payload: shell command) and {@code bulkhead.vm.RunService+USER}
 * (payload: {@code SERVICE[+ARG]}): what {@code qvm-run} needs, since the CLI is not in dom0's
 * process. The answer is {@code 0\0} then frames {@code KIND LENGTH(u32 big endian) DATA}: {@code O}
 * stdout, {@code E} stderr, {@code X} exit code (ASCII, last) or {@code F} {@code Type\0message}
 * (last). Errors before the command starts are plain qubesd error answers. The command gets an
 * empty stdin: the request was half-closed before the answer starts.
 */
final class CommandStream {
    static final String RUN = "bulkhead.vm.Run";
    static final String RUN_SERVICE = "bulkhead.vm.RunService";
    /**
     * The same with the command's stdin: the payload is {@code LENGTH\n} and the command (or
     * service), and every byte after it, up to the client's half-close, is the command's stdin.
     */
    static final String RUN_WITH_INPUT = "bulkhead.vm.RunWithInput";
    static final String RUN_SERVICE_WITH_INPUT = "bulkhead.vm.RunServiceWithInput";

    private static final Logger LOG = Logger.getLogger(CommandStream.class.getName());

    private final Supplier<Optional<QrexecService>> qrexec;

    CommandStream(Supplier<Optional<QrexecService>> qrexec) {
        this.qrexec = qrexec;
    }

    static boolean handles(String method) {
        return RUN.equals(method) || RUN_SERVICE.equals(method);
    }

    /** Whether the request goes on with the command's input after its payload. */
    static boolean takesInput(String method) {
        return RUN_WITH_INPUT.equals(method) || RUN_SERVICE_WITH_INPUT.equals(method);
    }

    /** Reads {@code LENGTH\n} and the command from what follows the header. */
    static byte[] readCommand(InputStream in) throws IOException {
        int length = 0;
        int digits = 0;
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < '0' || b > '9' || ++digits > 5) {
                throw new io.bulkhead.core.admin.ProtocolError("the payload must start with the command's length and a newline");
            }
            length = length * 10 + (b - '0');
        }
        if (length == 0 || length > io.bulkhead.core.admin.internal.wire.RequestDecoder.MAX_REQUEST_BYTES) {
            throw new io.bulkhead.core.admin.ProtocolError("invalid command length " + length);
        }
        byte[] command = in.readNBytes(length);
        if (command.length != length) {
            throw new io.bulkhead.core.admin.ProtocolError("the request ended inside the command");
        }
        return command;
    }

    /**
     * Serves a run whose input follows: {@code header} is the request without payload, {@code input}
     * everything after the header's NUL.
     */
    void serveWithInput(AdminRequest header, InputStream input, SocketChannel channel, AdminDispatcher dispatcher) throws IOException {
        String method = RUN_WITH_INPUT.equals(header.method()) ? RUN : RUN_SERVICE;
        AdminRequest request = new AdminRequest(method, header.argument(), header.source(), header.destination(), readCommand(input));
        dispatcher.authorize(new AdminRequest(header.method(), request.argument(), request.source(), request.destination(),
                request.payload()));
        run(request, channel, input);
    }

    /** Starts the command (errors here are thrown for a plain error answer), then streams it with empty stdin. */
    void serve(AdminRequest request, SocketChannel channel) throws IOException {
        run(request, channel, InputStream.nullInputStream());
    }

    private void run(AdminRequest request, SocketChannel channel, InputStream stdin) throws IOException {
        QrexecService service = qrexec.get()
                .orElseThrow(() -> new QubesVMError(request.destination(), "qrexec is not running in dom0: cannot run commands in qubes"));
        String user = request.argument().isEmpty() ? null : request.argument();
        RemoteProcess process;
        try {
            process = RUN.equals(request.method())
                    ? service.exec(request.destination(), user, request.payloadText())
                    : service.callService(request.destination(), user, request.payloadText());
        } catch (QrexecException e) {
            throw new QubesVMError(request.destination(), "cannot run in " + request.destination() + ": " + e.getMessage(), e);
        }
        try (process) {
            Thread input = new Thread(() -> feed(stdin, process.stdin()), "qvm-run-stdin");
            input.setDaemon(true);
            input.start();
            OutputStream out = Channels.newOutputStream(channel);
            synchronized (out) {
                out.write(ResponseEncoder.success(""));
            }
            Thread errors = new Thread(() -> pump(process.stderr(), out, 'E'), "qvm-run-stderr");
            errors.setDaemon(true);
            errors.start();
            pump(process.stdout(), out, 'O');
            errors.join();
            frame(out, 'X', Integer.toString(process.waitFor()).getBytes(StandardCharsets.US_ASCII));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies the client's input to the command until the client half-closes, then closes stdin. */
    private static void feed(InputStream from, OutputStream stdin) {
        try (stdin) {
            from.transferTo(stdin);
        } catch (IOException e) {
            LOG.log(Level.FINE, "qvm-run input ended early", e);
        }
    }

    private static void pump(InputStream in, OutputStream out, char kind) {
        byte[] buffer = new byte[65536];
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                frame(out, kind, java.util.Arrays.copyOf(buffer, read));
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "qvm-run stream ended early", e);
        }
    }

    private static void frame(OutputStream out, char kind, byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5).put((byte) kind).putInt(data.length);
        synchronized (out) {
            out.write(header.array());
            out.write(data);
            out.flush();
        }
    }
}
