package io.bulkhead.agent.internal;

import io.bulkhead.core.qrexec.protocol.DataStreamChecker;
import io.bulkhead.core.qrexec.protocol.ExitStatus;
import io.bulkhead.core.qrexec.protocol.Message;
import io.bulkhead.core.qrexec.protocol.MessageReader;
import io.bulkhead.core.qrexec.protocol.MessageType;
import io.bulkhead.core.qrexec.protocol.ProtocolVersion;
import io.bulkhead.core.qrexec.protocol.TriggerServiceParams;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qrexec-client-vm [--agent-socket PATH] [-s|--source-qube NAME] TARGET SERVICE[+ARG] [PROG [ARGS...]]}:
 * calls a service through the local agent. Without PROG, our stdin goes to the service and its
 * stdout/stderr to ours; the exit status is the remote one (126 refused, 127 no such service,
 * 125 qrexec problem). With PROG, the program's stdout feeds the service, the service's stdout
 * feeds the program, and the exit status is the program's (as Qubes).
 */
final class ClientVm {
    private ClientVm() {
    }

    static int run(String[] args) {
        Path socket = AgentConfig.DEFAULT_CLIENT_SOCKET;
        String source = "";
        boolean filterStdout = false;
        boolean filterStderr = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!rest.isEmpty()) {
                rest.add(a);
            } else if (a.startsWith("--agent-socket=")) {
                socket = Path.of(a.substring("--agent-socket=".length()));
            } else if (a.equals("--agent-socket") && i + 1 < args.length) {
                socket = Path.of(args[++i]);
            } else if (a.startsWith("--source-qube=")) {
                source = a.substring("--source-qube=".length());
            } else if ((a.equals("-s") || a.equals("--source-qube")) && i + 1 < args.length) {
                source = args[++i];
            } else if (a.equals("-t") || a.equals("--filter-escape-chars-stdout")) {
                filterStdout = true;
            } else if (a.equals("-T") || a.equals("--filter-escape-chars-stderr")) {
                filterStderr = true;
            } else if (a.equals("--no-filter-escape-chars-stdout")) {
                filterStdout = false;
            } else if (a.equals("--no-filter-escape-chars-stderr")) {
                filterStderr = false;
            } else if (a.startsWith("--buffer-size")) {
                // Qubes sizes its vchan buffer with it; here data already travels in protocol-sized
                // chunks over the agent socket, so the value has nothing to set
                if (a.equals("--buffer-size")) {
                    i++;
                }
            } else if (a.startsWith("-") && !a.equals("-")) {
                System.err.println("qrexec-client-vm: unknown option " + a);
                return 2;
            } else {
                rest.add(a);
            }
        }
        if (rest.size() < 2) {
            System.err.println("usage: qrexec-client-vm [--agent-socket PATH] [-s SOURCE] [-t] [-T] TARGET SERVICE[+ARG] [PROG [ARGS...]]");
            return 2;
        }
        String target = rest.get(0).replace('$', '@');
        if (target.isEmpty()) {
            target = "@default";
        }
        try {
            List<String> program = rest.subList(2, rest.size());
            if (program.isEmpty()) {
                return call(socket, source, target, rest.get(1), new FileInputStream(FileDescriptor.in),
                        escapeFiltered(new FileOutputStream(FileDescriptor.out), filterStdout),
                        escapeFiltered(new FileOutputStream(FileDescriptor.err), filterStderr));
            }
            return callWithProgram(socket, source, target, rest.get(1), program);
        } catch (IOException e) {
            System.err.println("qrexec-client-vm: " + e.getMessage());
            return ExitStatus.PROBLEM;
        }
    }

    /**
     * With {@code filter} (Qubes' -t/-T): terminal control characters other than newline, tab and
     * carriage return become {@code _}, so a hostile service cannot drive the caller's terminal.
     */
    static OutputStream escapeFiltered(OutputStream out, boolean filter) {
        if (!filter) {
            return out;
        }
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                int c = b & 0xff;
                boolean control = (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f;
                out.write(control ? '_' : c);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                for (int i = 0; i < length; i++) {
                    write(bytes[offset + i]);
                }
            }
        };
    }

    /**
     * Calls {@code service} on {@code target} through the agent socket: {@code in} is sent as
     * stdin, the service's stdout/stderr go to {@code out}/{@code err} ({@code out} is closed at
     * its EOF).
     *
     * @return the remote exit status; 126 if refused
     */
    static int call(Path socket, String source, String target, String service, InputStream in, OutputStream out,
            OutputStream err) throws IOException {
        try (UnixSocketChannel ch = connectAgent(socket)) {
            Connected c = connect(ch, source, target, service, err);
            if (c == null) {
                return ExitStatus.REFUSED;
            }
            return pipe(c.reader, c.checker, ch.output(), c.chunk, in, out, err);
        }
    }

    private static int callWithProgram(Path socket, String source, String target, String service, List<String> program)
            throws IOException {
        try (UnixSocketChannel ch = connectAgent(socket)) {
            OutputStream err = new FileOutputStream(FileDescriptor.err);
            Connected c = connect(ch, source, target, service, err);
            if (c == null) {
                return ExitStatus.REFUSED;
            }
            Process p = new ProcessBuilder(program).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            pipe(c.reader, c.checker, ch.output(), c.chunk, p.getInputStream(), p.getOutputStream(), err);
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitStatus.PROBLEM;
            }
        }
    }

    /** How long a client waits for the agent's socket to appear. */
    private static final long SOCKET_WAIT_MILLIS = 5_000;

    /**
     * Connects to the agent's socket, waiting a little while it does not exist yet: the agent
     * creates it just after its first hello with dom0, so a command started at once by dom0 can
     * come first (and init restarts an agent that died).
     */
    static UnixSocketChannel connectAgent(Path socket) throws IOException {
        return connectAgent(socket, SOCKET_WAIT_MILLIS);
    }

    /** {@link #connectAgent(Path)} waiting at most {@code waitMillis} for the socket to appear. */
    static UnixSocketChannel connectAgent(Path socket, long waitMillis) throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            try {
                return UnixSocketChannel.connect(socket);
            } catch (IOException e) {
                if (java.nio.file.Files.exists(socket) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the agent socket " + socket);
            }
        }
    }

    /** A call the agent connected, after the data hellos. */
    private record Connected(MessageReader reader, DataStreamChecker checker, int chunk) {
    }

    /** @return the connected call, or {@code null} if refused (reported on {@code err}) */
    private static Connected connect(UnixSocketChannel ch, String source, String target, String service, OutputStream err)
            throws IOException {
        byte[] trigger;
        try {
            trigger = new TriggerServiceParams(source, target, "SOCKET", service).encode(MessageType.TRIGGER_SERVICE4);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        OutputStream out = ch.output();
        new Message(MessageType.TRIGGER_SERVICE4, trigger).writeTo(out);
        MessageReader reader = new MessageReader(ch.input());
        Message answer = reader.read();
        if (answer == null || answer.type() == MessageType.SERVICE_REFUSED) {
            err.write("Request refused\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            err.flush();
            return null;
        }
        if (answer.type() != MessageType.SERVICE_CONNECT) {
            throw new IOException("unexpected answer " + answer + " from the agent");
        }
        Message.hello(ProtocolVersion.CURRENT).writeTo(out);
        out.flush();
        DataStreamChecker checker = new DataStreamChecker(DataStreamChecker.Sender.SERVICE, ProtocolVersion.CURRENT);
        checker.accept(reader.readRequired("the service's hello"));
        reader.version(checker.version());
        return new Connected(reader, checker, ProtocolVersion.maxDataChunk(checker.version()));
    }

    /** Sends {@code in} as stdin (on a thread) and delivers the service's output; returns its exit status. */
    private static int pipe(MessageReader reader, DataStreamChecker checker, OutputStream socket, int chunk,
            InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
        Thread feeder = new Thread(() -> {
            byte[] buf = new byte[chunk];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n > 0) {
                        synchronized (socket) {
                            Message.data(MessageType.DATA_STDIN, buf, 0, n).writeTo(socket);
                            socket.flush();
                        }
                    }
                }
                synchronized (socket) {
                    Message.eof(MessageType.DATA_STDIN).writeTo(socket);
                    socket.flush();
                }
            } catch (IOException e) {
                // the call ended first
            }
        }, "qrexec-client-stdin");
        feeder.setDaemon(true);
        feeder.start();
        Message m;
        while ((m = reader.read()) != null) {
            checker.accept(m);
            switch (m.type()) {
                case MessageType.DATA_STDOUT:
                    if (m.length() == 0) {
                        stdout.close();
                    } else {
                        stdout.write(m.payload());
                        stdout.flush();
                    }
                    break;
                case MessageType.DATA_STDERR:
                    if (m.length() > 0) {
                        stderr.write(m.payload());
                        stderr.flush();
                    }
                    break;
                case MessageType.DATA_EXIT_CODE:
                    stdout.close();
                    return ExitStatus.decode(m.payload());
                default:
                    throw new IOException("unexpected " + m);
            }
        }
        stdout.close();
        return ExitStatus.PROBLEM;
    }

}
