package io.bulkhead.qvm.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.bulkhead.qvm.client.AdminTransport;
import io.bulkhead.qvm.client.QubesdClient;

/**
 * The training run of the AppCDS archive (see docs/qvm.md): every tool's help and the common paths against canned
 * answers served on a private unix socket, so that the classes a real run loads, socket client included, end up in
 * the archive. Prints nothing; needs no dom0.
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path directory = Files.createTempDirectory("qvm-cds");
        Path socket = directory.resolve("qubesd.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread serving = new Thread(() -> serve(server), "cds-training-qubesd");
            serving.setDaemon(true);
            serving.start();
            train(new QubesdClient(socket));
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
    }

    private static void train(AdminTransport transport) {
        for (String tool : Tools.NAMES) {
            run(tool, transport, "--help");
        }
        run("qvm-ls", transport);
        run("qvm-ls", transport, "--raw-list");
        run("qvm-ls", transport, "-O", "name,flags,disk,memory,gateway", "--tree");
        run("qvm-ls", transport, "--running", "--sort", "MAXMEM", "nosuchqube");
        run("qvm-ls", transport, "--bogus");
        run("qvm-prefs", transport, "work");
        run("qvm-prefs", transport, "work", "netvm");
        run("qubes-prefs", transport, "default_netvm", "sys-net");
        run("qvm-features", transport, "work");
        run("qvm-tags", transport, "work", "add", "x");
        run("qvm-check", transport, "--running", "work");
        run("qvm-start", transport, "work", "sys-net");
        run("qvm-shutdown", transport, "--wait", "work");
        run("qvm-volume", transport, "info", "work:private");
        run("qvm-pool", transport);
        run("qvm-template", transport, "list");
        run("qvm-run", transport, "-p", "work", "true");
    }

    private static void run(String tool, AdminTransport transport, String... args) {
        OutputStream sink = OutputStream.nullOutputStream();
        Tools.run(tool, args, new Io(new ByteArrayInputStream(new byte[0]), sink, sink, false), transport);
    }

    private static void serve(ServerSocketChannel server) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                byte[] request = Channels.newInputStream(client).readAllBytes();
                String header = new String(request, StandardCharsets.US_ASCII);
                String[] fields = header.substring(0, Math.max(0, header.indexOf('\0'))).split(" ");
                String method = fields[0].substring(0, Math.max(0, fields[0].indexOf('+')));
                client.write(ByteBuffer.wrap(answer(method)));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static byte[] answer(String method) {
        String text = switch (method) {
            case "admin.vm.List" -> "dom0 class=AdminVM state=Running uuid=00000000-0000-0000-0000-000000000000\n"
                    + "sys-net class=AppVM state=Running uuid=5e1c4d3a-0000-4000-8000-000000000001\n"
                    + "work class=AppVM state=Halted uuid=5e1c4d3a-0000-4000-8000-000000000002\n"
                    + "debian-12 class=TemplateVM state=Halted uuid=5e1c4d3a-0000-4000-8000-000000000003\n";
            case "admin.vm.property.GetAll", "admin.property.GetAll" -> "label default=False type=label red\n"
                    + "netvm default=True type=vm sys-net\ntemplate default=False type=vm debian-12\n"
                    + "maxmem default=True type=int 4000\nprovides_network default=True type=bool False\n";
            case "admin.vm.property.Get" -> "default=True type=vm sys-net";
            case "admin.vm.feature.List" -> "gui\n";
            case "admin.vm.feature.Get" -> "1";
            case "admin.vm.volume.List" -> "private\nroot\n";
            case "admin.vm.volume.Info" -> "pool=varlibqubes\nvid=appvms/work/private\nsize=2147483648\nusage=0\nrw=True\n";
            case "admin.pool.List" -> "varlibqubes\n";
            case "admin.vm.Start" -> null;
            default -> "";
        };
        return (text == null ? "2\0QubesVMNotHaltedError\0\0already running\0" : "0\0" + text).getBytes(StandardCharsets.UTF_8);
    }
}
