package io.bulkhead.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.PowerState;
import io.bulkhead.core.domains.QubeClass;
import io.bulkhead.core.domains.QubeInfo;
import io.bulkhead.core.domains.QubesVMNotFoundError;
import io.bulkhead.core.qrexec.DisposableVmService;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routing against a qube model: autostart of halted targets (and {@code autostart=no}),
 * {@code @dispvm} through a DisposableVmService, and the clear refusal without one.
 */
@Timeout(120)
class DomainsE2ETest {
    private static final String POLICY = String.join("\n",
            "test.Echo      *  work  sleepy   allow",
            "test.Echo      *  work  lazy     allow autostart=no",
            "test.Hostname  *  work  @dispvm  allow",
            "test.Hostname  *  work  @default allow target=@dispvm:dvm",
            "*              *  @anyvm @anyvm deny", "");

    @Test
    void haltedTargetsStartWhenPolicyAllowsIt() throws Exception {
        try (World world = new World(POLICY)) {
            FakeDomains domains = new FakeDomains(world);
            world.dom0.setDomains(domains.proxy());
            world.start("work");
            domains.state.put("work", PowerState.RUNNING);

            World.Result r = world.call("work", "sleepy", "test.Echo", "wake up".getBytes(StandardCharsets.UTF_8));
            assertEquals(0, r.exit(), r.stderr());
            assertEquals("wake up", r.out());
            assertEquals(List.of("sleepy"), domains.started);

            assertEquals(126, world.call("work", "lazy", "test.Echo").exit(), "autostart=no and halted: refused");
            assertEquals(List.of("sleepy"), domains.started, "lazy was not started");
        }
    }

    @Test
    void dispvmCallsGoToTheDisposableService() throws Exception {
        try (World world = new World(POLICY)) {
            FakeDomains domains = new FakeDomains(world);
            world.dom0.setDomains(domains.proxy());
            world.start("work");
            domains.state.put("work", PowerState.RUNNING);

            assertEquals(126, world.call("work", "@dispvm", "test.Hostname").exit(), "no DisposableVmService: refused");

            List<String> log = new CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger serial = new java.util.concurrent.atomic.AtomicInteger();
            world.dom0.setDisposableVms(new DisposableVmService() {
                @Override
                public String acquire(String template, String source) throws Exception {
                    String name = "disp" + serial.incrementAndGet();
                    log.add("acquire " + template + " for " + source + " -> " + name);
                    world.start(name);
                    domains.state.put(name, PowerState.RUNNING);
                    return name;
                }

                @Override
                public void release(String disposable) {
                    log.add("release " + disposable);
                    world.stop(disposable);
                    domains.state.put(disposable, PowerState.HALTED);
                }
            });
            World.Result viaDefault = world.call("work", "@dispvm", "test.Hostname");
            assertEquals(0, viaDefault.exit(), viaDefault.stderr());
            assertEquals("disp1\n", viaDefault.out(), "ran in the disposable");
            World.Result viaRedirect = world.call("work", "", "test.Hostname");
            assertEquals("disp2\n", viaRedirect.out());
            // the caller has its exit status before dom0 finishes the call and releases the disposable
            long end = System.nanoTime() + 10_000_000_000L;
            while (log.size() < 4 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            // calls overlap with the asynchronous release: check each disposable was acquired, then released
            assertEquals(4, log.size(), log.toString());
            for (String d : List.of("disp1", "disp2")) {
                int acquired = log.indexOf("acquire dvm for work -> " + d);
                int releasedAt = log.indexOf("release " + d);
                assertTrue(acquired >= 0 && releasedAt > acquired, log.toString());
            }
        }
    }

    /** A qube model with dom0, work, the halted sleepy/lazy and the disposable template dvm. */
    static final class FakeDomains {
        final Map<String, PowerState> state = new ConcurrentHashMap<>();
        final List<String> started = new CopyOnWriteArrayList<>();
        private final World world;

        FakeDomains(World world) {
            this.world = world;
            state.put("dom0", PowerState.RUNNING);
            state.put("sleepy", PowerState.HALTED);
            state.put("lazy", PowerState.HALTED);
            state.put("dvm", PowerState.HALTED);
        }

        private QubeInfo info(String name) {
            PowerState s = state.get(name);
            if (s == null) {
                throw new QubesVMNotFoundError("no such qube: " + name);
            }
            QubeClass klass = name.equals("dom0") ? QubeClass.ADMIN_VM : name.startsWith("disp") && !name.equals("dvm")
                    ? QubeClass.DISP_VM : QubeClass.APP_VM;
            UUID uuid = name.equals("dom0") ? new UUID(0, 0) : UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
            return new QubeInfo(name, name.hashCode() & 0xff, uuid, klass, "red", s, Optional.empty(), Optional.empty(), false,
                    name.equals("dvm"), name.equals("work") ? Optional.of("dvm") : Optional.empty(), Map.of(), Set.of());
        }

        DomainsService proxy() {
            return (DomainsService) Proxy.newProxyInstance(DomainsService.class.getClassLoader(),
                    new Class<?>[] {DomainsService.class}, (p, method, args) -> {
                        switch (method.getName()) {
                            case "list": {
                                List<QubeInfo> all = new ArrayList<>();
                                for (String n : state.keySet()) {
                                    all.add(info(n));
                                }
                                return all;
                            }
                            case "find":
                                return state.containsKey((String) args[0]) ? Optional.of(info((String) args[0])) : Optional.empty();
                            case "get":
                                return info((String) args[0]);
                            case "powerState":
                                return info((String) args[0]).powerState();
                            case "start": {
                                String q = (String) args[0];
                                started.add(q);
                                world.start(q);
                                state.put(q, PowerState.RUNNING);
                                return null;
                            }
                            case "toString":
                                return "FakeDomains";
                            default:
                                throw new UnsupportedOperationException(method.getName() + " is not faked");
                        }
                    });
        }
    }
}
