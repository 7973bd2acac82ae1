package io.bulkhead.bench.admin;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Stand-in for dom0's qubesd when none runs: a unix socket serving admin.vm.List and admin.vm.property.GetAll for
 * N synthetic qubes (answers precomputed, one thread per connection as core.admin does), so that the client side
 * of qvm-ls can be measured. The server time it shows is a floor, not core.admin's.
 */
final class SyntheticQubesd implements Closeable {
    private final Path directory;
    private final Path socket;
    private final ServerSocketChannel server;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "synthetic-qubesd");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, byte[]> answers = new HashMap<>();

    SyntheticQubesd(int qubes) throws IOException {
        StringBuilder list = new StringBuilder("dom0 class=AdminVM state=Running uuid=00000000-0000-0000-0000-000000000000\n");
        answers.put("admin.vm.property.GetAll+ dom0", ok("label default=True type=label black\nname default=True type=str dom0\n"));
        list.append("debian-12 class=TemplateVM state=Halted uuid=00000000-0000-4000-8000-000000000001\n");
        answers.put("admin.vm.property.GetAll+ debian-12", ok(properties("debian-12", 1, "TemplateVM", "black", "", "")));
        list.append("sys-net class=AppVM state=Running uuid=00000000-0000-4000-8000-000000000002\n");
        answers.put("admin.vm.property.GetAll+ sys-net", ok(properties("sys-net", 2, "AppVM", "red", "debian-12", "")));
        for (int i = 3; i < qubes; i++) {
            String name = "qube-" + i;
            list.append(name).append(" class=AppVM state=").append(i % 3 == 0 ? "Running" : "Halted")
                    .append(" uuid=00000000-0000-4000-8000-").append(String.format("%012d", i)).append('\n');
            answers.put("admin.vm.property.GetAll+ " + name, ok(properties(name, i, "AppVM", i % 2 == 0 ? "blue" : "green", "debian-12", "sys-net")));
        }
        answers.put("admin.vm.List+ dom0", ok(list.toString()));
        directory = Files.createTempDirectory("bench-qubesd");
        socket = directory.resolve("qubesd.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(this::accept, "synthetic-qubesd-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path socket() {
        return socket;
    }

    /** About the 40 properties a Qubes AppVM reports, in GetAll's sorted order. */
    private static String properties(String name, int qid, String klass, String label, String template, String netvm) {
        String[][] props = {
            {"audiovm", "True", "vm", "dom0"}, {"autostart", "True", "bool", "False"}, {"backup_timestamp", "True", "int", ""},
            {"debug", "True", "bool", "False"}, {"default_dispvm", "True", "vm", "default-dvm"}, {"default_user", "True", "str", "user"},
            {"devices_denied", "True", "str", ""}, {"dns", "True", "str", "10.139.1.1 10.139.1.2"}, {"gateway", "True", "str", ""},
            {"guivm", "True", "vm", "dom0"}, {"icon", "True", "str", "appvm-" + label}, {"include_in_backups", "True", "bool", "True"},
            {"installed_by_rpm", "True", "bool", "False"}, {"ip", "True", "str", "10.137.0." + (qid % 250 + 2)},
            {"kernel", "True", "str", "6.6.48-1.qubes.fc37"}, {"kernelopts", "True", "str", ""}, {"keyboard_layout", "True", "str", "us++"},
            {"klass", "True", "str", klass}, {"label", "False", "label", label}, {"mac", "True", "str", "00:16:3e:5e:6c:00"},
            {"management_dispvm", "True", "vm", "default-mgmt-dvm"}, {"maxmem", "True", "int", "4000"}, {"memory", "True", "int", "400"},
            {"name", "False", "str", name}, {"netvm", netvm.isEmpty() ? "False" : "True", "vm", netvm},
            {"provides_network", "True", "bool", "False"}, {"qid", "False", "int", Integer.toString(qid)},
            {"qrexec_timeout", "True", "int", "60"}, {"shutdown_timeout", "True", "int", "60"}, {"start_time", "True", "str", ""},
            {"stubdom_mem", "True", "int", ""}, {"template", "False", "vm", template}, {"template_for_dispvms", "True", "bool", "False"},
            {"updateable", "True", "bool", "False"}, {"uuid", "False", "str", "00000000-0000-4000-8000-" + String.format("%012d", qid)},
            {"vcpus", "True", "int", "2"}, {"virt_mode", "True", "str", "pvh"}, {"visible_gateway", "True", "str", "10.138.0.1"},
            {"visible_ip", "True", "str", "10.137.0." + (qid % 250 + 2)}, {"xid", "True", "int", "-1"}};
        StringBuilder out = new StringBuilder();
        for (String[] prop : props) {
            out.append(prop[0]).append(" default=").append(prop[1]).append(" type=").append(prop[2]).append(' ').append(prop[3]).append('\n');
        }
        return out.toString();
    }

    private static byte[] ok(String value) {
        return ("0\0" + value).getBytes(StandardCharsets.UTF_8);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                workers.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            byte[] request = Channels.newInputStream(client).readAllBytes();
            int nul = 0;
            while (nul < request.length && request[nul] != 0) {
                nul++;
            }
            String header = new String(request, 0, nul, StandardCharsets.US_ASCII);
            String[] fields = header.split(" ");
            byte[] answer = fields.length == 4 ? answers.get(fields[0] + " " + fields[3]) : null;
            OutputStream out = Channels.newOutputStream(client);
            out.write(answer != null ? answer : ("2\0ProtocolError\0\0not served by the synthetic qubesd: " + header + "\0")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(directory);
    }
}
