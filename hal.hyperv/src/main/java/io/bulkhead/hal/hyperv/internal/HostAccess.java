package io.bulkhead.hal.hyperv.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The way to the Hyper-V host: creates the PowerShell runner on first use, checks the host with
 * the preflight script, and remembers a missing PowerShell or Hyper-V for a while so that state
 * queries stay cheap. Never touches the host before the first call.
 */
final class HostAccess implements AutoCloseable {

    /** Creates the runner that executes scripts; throws {@link HypervisorException} when PowerShell is missing. */
    @FunctionalInterface
    interface RunnerFactory {
        PowerShell create(HypervConfiguration config, Platform platform);
    }

    private final HypervConfiguration config;
    private final Platform platform;
    private final RunnerFactory factory;
    private final ObjectMapper mapper;

    private PowerShell runner;
    private String unavailable;
    private long unavailableUntilNanos;
    private boolean closed;

    HostAccess(HypervConfiguration config, Platform platform, RunnerFactory factory, ObjectMapper mapper) {
        this.config = config;
        this.platform = platform;
        this.factory = factory;
        this.mapper = mapper;
    }

    /** The production runner: a PowerShell process found by {@link PowerShellLocator}. */
    static PowerShell processRunner(HypervConfiguration config, Platform platform) {
        PowerShellLocator.Result located = PowerShellLocator.locate(config.powershell(), platform.searchPath(),
                platform.pathSeparator(), platform.windows(), platform.systemRoot());
        Path executable = located.executable().orElseThrow(() -> new HypervisorException(null, located.problem()));
        Optional<RunnerLoop.Remote> remote = config.remoteComputer().isBlank() ? Optional.empty()
                : Optional.of(new RunnerLoop.Remote(config.remoteComputer().trim(), config.remoteMode().equals("session"),
                        config.remoteConfigurationName().trim(), config.remoteUseSsl()));
        System.Logger log = System.getLogger(HypervHypervisor.PID);
        return new PowerShellProcess(executable, remote, Duration.ofSeconds(Math.max(5, config.scriptTimeoutSeconds())),
                line -> log.log(System.Logger.Level.INFO, "PowerShell: " + line));
    }

    /**
     * @return a runner on a host that passed the preflight checks
     * @throws HypervisorException saying what is missing (PowerShell, the Hyper-V module, vmms, rights)
     */
    synchronized PowerShell ready() {
        if (closed) {
            throw new HypervisorException(null, "the hyperv hypervisor backend has been deactivated");
        }
        if (runner != null) {
            return runner;
        }
        unavailable = null;
        PowerShell candidate;
        try {
            candidate = factory.create(config, platform);
        } catch (HypervisorException e) {
            markUnavailable(e.getMessage());
            throw e;
        }
        Preflight preflight;
        try {
            Envelope result = Envelope.parse(mapper, candidate.run(Scripts.preflight()));
            if (result.error().isPresent()) {
                throw new IOException(result.error().get().describe());
            }
            if (result.value().isEmpty()) {
                throw new IOException("the preflight script reported nothing");
            }
            preflight = Preflight.parse(result.value().get(0));
        } catch (IOException e) {
            candidate.close();
            String problem = "Hyper-V module not available: checking the host through PowerShell failed: "
                    + e.getMessage();
            markUnavailable(problem);
            throw new HypervisorException(null, problem, e);
        }
        Optional<String> problem = preflight.problem();
        if (problem.isPresent()) {
            candidate.close();
            markUnavailable(problem.get());
            throw new HypervisorException(null, problem.get());
        }
        runner = candidate;
        return runner;
    }

    /** The runner if the host is usable, without throwing; rechecks a missing one only now and then. */
    synchronized Optional<PowerShell> readyQuietly() {
        if (closed || (unavailable != null && System.nanoTime() < unavailableUntilNanos)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ready());
        } catch (HypervisorException e) {
            return Optional.empty();
        }
    }

    /** Stops the PowerShell process. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (runner != null) {
            runner.close();
            runner = null;
        }
    }

    private void markUnavailable(String problem) {
        unavailable = problem;
        unavailableUntilNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(0, config.unavailableRecheckSeconds()));
    }
}
