package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.transport.DeviceChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command line, service lookup and user accounts of the agent, without a dom0. */
class AgentUnitTest {
    @TempDir
    Path dir;

    @Test
    void commandLineDefaultsAndOptions() {
        AgentConfig d = AgentMain.parse(new String[0]);
        assertEquals(AgentConfig.DEFAULT_RPC_DIRS, d.rpcDirs());
        assertEquals(AgentConfig.DEFAULT_CLIENT_SOCKET, d.clientSocket());
        assertEquals(AgentConfig.UserSwitch.AUTO, d.userSwitch());
        AgentConfig c = AgentMain.parse(new String[] {"--port", "/dev/virtio-ports/qrexec", "--rpc-dir=/a:/b",
            "--client-socket", "none", "--user-switch", "su", "--once", "--no-prewarm", "--log-level=debug"});
        assertEquals(Path.of("/dev/virtio-ports/qrexec"), c.device());
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), c.rpcDirs());
        assertNull(c.clientSocket());
        assertEquals(AgentConfig.UserSwitch.SU, c.userSwitch());
        assertTrue(c.once() && !c.prewarm());
        assertEquals(Log.Level.DEBUG, c.logLevel());
        assertThrows(IllegalArgumentException.class, () -> AgentMain.parse(new String[] {"--device", "/x", "--connect", "/y"}));
        assertThrows(IllegalArgumentException.class, () -> AgentMain.parse(new String[] {"--bogus"}));
        assertThrows(IllegalArgumentException.class, () -> AgentMain.parse(new String[] {"--rpc-dir"}));
        assertThrows(IllegalArgumentException.class, () -> AgentMain.parse(new String[] {"--user-switch", "sudo"}));
    }

    @Test
    void warmUsersOption() {
        assertEquals(List.of("user", "root"), AgentMain.parse(new String[0]).warmUsers(), "Qubes' default user and root");
        assertEquals(List.of(), AgentMain.parse(new String[] {"--warm-users", "none"}).warmUsers());
        assertEquals(List.of("alice", "bob"), AgentMain.parse(new String[] {"--warm-users=alice,bob"}).warmUsers());
        assertThrows(IllegalArgumentException.class, () -> AgentMain.parse(new String[] {"--warm-users", "alice,,bob"}));
        assertThrows(IllegalArgumentException.class, () -> AgentMain.parse(new String[] {"--warm-users", "a:b"}));
        assertThrows(IllegalArgumentException.class, () -> AgentMain.parse(new String[] {"--warm-users"}));
    }

    @Test
    void serviceLookupFollowsTheQubesOrder() throws Exception {
        Path first = Files.createDirectories(dir.resolve("run"));
        Path second = Files.createDirectories(dir.resolve("etc"));
        World.script(second, "svc", "true");
        World.script(second, "svc+arg", "true");
        World.script(first, "svc", "true");
        ServiceLocator locator = new ServiceLocator(List.of(first, second));
        assertEquals(second.resolve("svc+arg"), locator.find("svc", "arg").orElseThrow().path(), "svc+arg anywhere beats svc");
        assertEquals(first.resolve("svc"), locator.find("svc", "other").orElseThrow().path(), "then the first svc");
        assertEquals(Optional.empty(), locator.find("nope", ""));
        World.script(second, "empty+", "true");
        assertEquals(second.resolve("empty+"), locator.find("empty", "").orElseThrow().path(), "empty argument: svc+");
    }

    @Test
    void serviceFileKinds() throws Exception {
        Files.writeString(dir.resolve("plain"), "not executable");
        Files.createSymbolicLink(dir.resolve("tcp"), Path.of("/dev/tcp/127.0.0.1/22"));
        Files.createDirectories(dir.resolve("adir"));
        try (UnixSocketServer s = UnixSocketServer.bind(dir.resolve("sock"))) {
            ServiceLocator locator = new ServiceLocator(List.of(dir));
            assertEquals(ServiceLocator.Kind.SOCKET, locator.find("sock", "").orElseThrow().kind());
            assertEquals(ServiceLocator.Kind.UNSUPPORTED, locator.find("plain", "").orElseThrow().kind());
            assertEquals(ServiceLocator.Kind.UNSUPPORTED, locator.find("tcp", "").orElseThrow().kind());
            assertEquals(ServiceLocator.Kind.UNSUPPORTED, locator.find("adir", "").orElseThrow().kind());
        }
    }

    @Test
    void aClientWaitsForTheAgentSocketToAppearButNotForever() throws Exception {
        Path socket = dir.resolve("agent.sock");
        CompletableFuture<UnixSocketServer> later = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(300);
                return UnixSocketServer.bind(socket);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (var ch = ClientVm.connectAgent(socket, 10_000); UnixSocketServer server = later.get(10, TimeUnit.SECONDS)) {
            assertTrue(Files.exists(socket), "connected once the agent had bound its socket");
        }
        Path missing = dir.resolve("never.sock");
        assertThrows(java.io.IOException.class, () -> ClientVm.connectAgent(missing, 100));
        Path notASocket = Files.writeString(dir.resolve("file.sock"), "x");
        assertThrows(java.io.IOException.class, () -> ClientVm.connectAgent(notASocket, 60_000),
                "a file that exists but refuses fails at once");
    }

    @Test
    void anOutputPumpKeepsWhatItReadUntilItKnowsWhereItGoesAndLeavesTheLastEndToTheCaller() throws Exception {
        java.io.PipedOutputStream writer = new java.io.PipedOutputStream();
        OutputPump pump = new OutputPump(new java.io.PipedInputStream(writer));
        Thread reader = new Thread(pump);
        reader.start();
        writer.write("early ".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        writer.flush();
        Thread.sleep(100);
        StringBuilder got = new StringBuilder();
        List<String> ends = new java.util.ArrayList<>();
        OutputPump.Sink sink = new OutputPump.Sink() {
            @Override
            public void data(byte[] b, int off, int len) {
                got.append(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void end() {
                ends.add("end");
            }
        };
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(2);
        pump.attach(new OutputPump.Target(sink, 65536, open, null));
        writer.write("late".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        writer.close();
        assertEquals(false, pump.endedLast().get(5, TimeUnit.SECONDS), "another output is still open: this end is sent");
        assertEquals("early late", got.toString());
        assertEquals(List.of("end"), ends);

        java.io.PipedOutputStream second = new java.io.PipedOutputStream();
        OutputPump last = new OutputPump(new java.io.PipedInputStream(second));
        last.attach(new OutputPump.Target(sink, 65536, open, null));
        new Thread(last).start();
        second.close();
        assertEquals(true, last.endedLast().get(5, TimeUnit.SECONDS), "the output ending last leaves its end to the caller");
        assertEquals(List.of("end"), ends);

        java.io.PipedOutputStream discarded = new java.io.PipedOutputStream();
        OutputPump abandoned = new OutputPump(new java.io.PipedInputStream(discarded));
        new Thread(abandoned).start();
        discarded.write('x');
        abandoned.abandon();
        discarded.close();
        assertEquals(false, abandoned.endedLast().get(5, TimeUnit.SECONDS), "an abandoned pump drains and ends");
        assertEquals("early late", got.toString(), "nothing of an abandoned pump is delivered");
    }

    @Test
    void passwdEntries() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nbroken:x:a:b\n");
        Passwd p = new Passwd(passwd);
        assertEquals(new Passwd.Entry("user", 1000, 1000, "/home/user", "/bin/sh"), p.lookup("user").orElseThrow());
        assertTrue(p.lookup("broken").isEmpty());
        assertTrue(p.lookup("nobody").isEmpty());
    }

    @Test
    void shellPlansAreDerivedAgainOnceOlderThanTheirTtl() throws Exception {
        String me = System.getProperty("user.name");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path shell = Files.writeString(dir.resolve("myshell"), "#!/bin/sh\nexec /bin/sh \"$@\"\n");
        shell.toFile().setExecutable(true);
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, me + ":x:1000:1000::" + home + ":" + shell + "\n");
        Files.setLastModifiedTime(passwd, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Log quiet = new Log(Log.Level.ERROR);
        ProcessLauncher cached = new ProcessLauncher(AgentConfig.UserSwitch.NONE, new Passwd(passwd), quiet, TimeUnit.HOURS.toNanos(1));
        ProcessLauncher unCached = new ProcessLauncher(AgentConfig.UserSwitch.NONE, new Passwd(passwd), quiet, 0);
        ShellPlan first = cached.shellPlan(me);
        assertEquals(shell.toString(), first.shell());
        assertEquals(shell.toString(), unCached.shellPlan(me).shell());

        shell.toFile().setExecutable(false);
        assertTrue(first == cached.shellPlan(me), "a plan less than an hour old is used as it is");
        assertEquals("/bin/sh", unCached.shellPlan(me).shell(), "a shell that cannot run falls back to /bin/sh");

        Files.writeString(passwd, me + ":x:1000:1000::" + home + ":/bin/bash\n");
        Files.setLastModifiedTime(passwd, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 30_000));
        assertTrue(first == cached.shellPlan(me), "passwd too is checked only once the plan is older than its TTL");
        ShellPlan changed = unCached.shellPlan(me);
        assertEquals("/bin/bash", changed.shell(), "a passwd change is seen by a plan derived again");
        assertEquals(List.of("/bin/bash", "-c"), changed.argv());
        assertTrue(changed == unCached.shellPlan(me), "a plan derived again from the same inputs is the same object");
    }

    @Test
    void passwdChangesAreSeenAtTheNextLookup() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "user:x:1000:1000::/home/user:/bin/sh\n");
        Passwd p = new Passwd(passwd);
        assertEquals("/bin/sh", p.lookup("user").orElseThrow().shell());
        // same size, same second: only the racy-timestamp rule notices
        Files.writeString(passwd, "user:x:1000:1000::/home/user:/bin/zz\n");
        assertEquals("/bin/zz", p.lookup("user").orElseThrow().shell());
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(passwd, old);
        assertEquals("/bin/zz", p.lookup("user").orElseThrow().shell(), "parsed again: the stat changed");
        Files.writeString(passwd, "user:x:1000:1000::/home/user:/bin/yy\n");
        Files.setLastModifiedTime(passwd, java.nio.file.attribute.FileTime.fromMillis(old.toMillis() + 1000));
        assertEquals("/bin/yy", p.lookup("user").orElseThrow().shell(), "an old file with a new time is parsed again");
        Files.delete(passwd);
        assertTrue(p.lookup("user").isEmpty(), "a missing file has no users");
    }

    @Test
    void deviceChannelWaitsForTheHostsFirstBytes() throws Exception {
        Path fifo = dir.resolve("port");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (DeviceChannel ch = DeviceChannel.open(fifo)) {
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    ch.awaitHost(5);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(50);
            assertTrue(!waiting.isDone(), "nothing sent yet");
            OutputStream out = ch.output();
            out.write(new byte[] {7, 8});
            waiting.get(5, TimeUnit.SECONDS);
            assertEquals(7, ch.input().read(), "the first byte stays readable");
            assertEquals(8, ch.input().read());
        }
    }

    @Test
    void escapeFilterReplacesTerminalControlCharacters() throws Exception {
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        try (OutputStream filtered = ClientVm.escapeFiltered(raw, true)) {
            filtered.write("\033]0;pwned\007ok\tline\r\n\u007f".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        assertEquals("_]0;pwned_ok\tline\r\n_", raw.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        java.io.ByteArrayOutputStream untouched = new java.io.ByteArrayOutputStream();
        ClientVm.escapeFiltered(untouched, false).write(0x1b);
        assertEquals(0x1b, untouched.toByteArray()[0], "without -t/-T the bytes pass unchanged");
    }
}
