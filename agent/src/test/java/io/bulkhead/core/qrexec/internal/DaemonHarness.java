package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.policy.Policy;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyLoader;
import io.bulkhead.core.policy.PolicyService;
import io.bulkhead.core.qrexec.AskPrompt;
import io.bulkhead.core.qrexec.DisposableVmService;
import io.bulkhead.core.qrexec.Dom0RpcHandler;
import io.bulkhead.core.qrexec.QrexecService;
import io.bulkhead.core.qrexec.mux.MuxConfig;
import io.bulkhead.core.qrexec.transport.UnixSocketChannel;
import io.bulkhead.core.qrexec.transport.UnixSocketServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * dom0's qrexec daemon outside OSGi, for tests and benchmarks: a real {@link QrexecDaemon} with
 * the real policy engine (policy given as text), and unix sockets that agents run as local
 * processes connect to ({@code --connect}).
 */
public final class DaemonHarness implements AutoCloseable {
    private final QrexecDaemon daemon;
    private final StaticPolicy policy = new StaticPolicy();
    private final List<UnixSocketServer> servers = new ArrayList<>();

    public DaemonHarness(String policyText) {
        this(policyText, 200, 400, 10_000);
    }

    public DaemonHarness(String policyText, double callsPerSecond, int callBurst, long agentTimeoutMillis) {
        DaemonSettings s = new DaemonSettings(System.getProperty("user.name"), 10_000, 256, callsPerSecond, callBurst, 60_000, 1 << 20, MuxConfig.DEFAULT);
        daemon = new QrexecDaemon(s, agentTimeoutMillis);
        daemon.setPolicyService(policy);
        setPolicy(policyText);
    }

    public QrexecService service() {
        return daemon;
    }

    public void setPolicy(String text) {
        policy.current = PolicyLoader.fromStrings("test.policy", Map.of("test.policy", text));
        if (!policy.current.isValid()) {
            throw new IllegalArgumentException("invalid test policy: " + policy.current.errors());
        }
    }

    public void setAskPrompt(AskPrompt prompt) {
        daemon.setAskPrompt(prompt);
    }

    public void setDisposableVms(DisposableVmService service) {
        daemon.setDisposableVms(service);
    }

    public void setDomains(DomainsService domains) {
        daemon.setDomains(domains);
    }

    public void addDom0Handler(String service, Dom0RpcHandler handler) {
        daemon.bindDom0RpcHandler(handler, Map.of(Dom0RpcHandler.SERVICE_PROPERTY, service));
    }

    public void removeDom0Handler(Dom0RpcHandler handler) {
        daemon.unbindDom0RpcHandler(handler, Map.of());
    }

    /**
     * Listens on {@code socket} for the agent of {@code qube}; every connection is attached (an
     * agent that reconnects replaces its previous link).
     */
    public Path listen(String qube, int domainId, Path socket) throws IOException {
        UnixSocketServer server = UnixSocketServer.bind(socket);
        servers.add(server);
        Thread t = new Thread(() -> {
            while (true) {
                UnixSocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread attach = new Thread(() -> {
                    try {
                        daemon.attach(qube, domainId, ch);
                    } catch (IOException e) {
                        System.err.println("attach " + qube + " failed: " + e.getMessage());
                    }
                }, "attach-" + qube);
                attach.setDaemon(true);
                attach.start();
            }
        }, "listen-" + qube);
        t.setDaemon(true);
        t.start();
        return socket;
    }

    @Override
    public void close() {
        for (UnixSocketServer s : servers) {
            try {
                s.close();
            } catch (IOException e) {
                // test teardown
            }
        }
        daemon.deactivate();
    }

    /** A policy service whose policy the test sets. */
    private static final class StaticPolicy implements PolicyService {
        volatile Policy current;

        @Override
        public Policy policy() {
            return current;
        }

        @Override
        public PolicyAdmin admin() {
            throw new UnsupportedOperationException("no policy administration in tests");
        }

        @Override
        public Policy reload() {
            return current;
        }

        @Override
        public List<Path> policyDirectories() {
            return List.of();
        }
    }
}
