package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulkhead.core.domains.hal.DomainSpec;
import io.bulkhead.core.domains.hal.DomainState;
import io.bulkhead.core.domains.hal.HypervisorException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Selecting the backend where Hyper-V is missing: activation and state queries stay quiet, a qube
 * start fails saying exactly what is missing.
 */
class HostRequirementsTest {

    @TempDir
    Path pool;

    private DomainSpec work() {
        return Backends.appVm(pool, "work").build();
    }

    @Test
    void withoutPowerShellActivationWorksAndAStartNamesWhatIsMissing() {
        // the production runner factory, on a machine like this one: Linux, nothing on PATH
        Platform linux = new Platform("Linux", false, pool.toString(), ":", Optional.empty(), () -> {
            throw new AssertionError("no Winsock here");
        });
        HypervHypervisor isolated = new HypervHypervisor(Backends.config(Map.of()), HostAccess::processRunner, linux);
        try {
            assertEquals(DomainState.SHUTOFF, isolated.state("work"));
            assertEquals(Map.of(), isolated.domains());
            HypervisorException e = assertThrows(HypervisorException.class, () -> isolated.define(work()));
            assertTrue(e.getMessage().startsWith("powershell.exe/pwsh not found: no pwsh on PATH"), e.getMessage());
            assertTrue(e.getMessage().contains("select another backend"), e.getMessage());
            assertThrows(HypervisorException.class, () -> isolated.kill("work"));
            assertTrue(isolated.capabilities().accelerator() != null);
        } finally {
            isolated.close();
        }
    }

    @Test
    void aConfiguredPowerShellThatDoesNotExistIsNamed() {
        HypervHypervisor hyperv = new HypervHypervisor(Backends.config(Map.of("powershell",
                pool.resolve("bin/pwsh").toString())));
        try {
            HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.define(work()));
            assertTrue(e.getMessage().startsWith("powershell.exe/pwsh not found: the configured powershell '"
                    + pool.resolve("bin/pwsh") + "' is not an executable file"), e.getMessage());
        } finally {
            hyperv.close();
        }
    }

    @Test
    void withoutTheHyperVModuleAStartSaysSoAndAFixedHostIsUsedAtTheNextStart() {
        FakeHyperV fake = new FakeHyperV();
        ObjectNode noModule = fake.goodPreflight().put("HyperVModule", false);
        fake.preflight(noModule);
        HypervHypervisor hyperv = Backends.backend(fake, Map.of());
        try {
            assertEquals(List.of(), fake.operations(), "activation runs nothing");
            assertEquals(DomainState.SHUTOFF, hyperv.state("work"));
            assertEquals(Map.of(), hyperv.domains());
            assertEquals(List.of("preflight"), fake.operations(), "state queries back off after a failed check");
            HypervisorException e = assertThrows(HypervisorException.class, () -> hyperv.define(work()));
            assertTrue(e.getMessage().startsWith("Hyper-V module not available on HV-HOST (PowerShell 5.1"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All"),
                    e.getMessage());
            assertTrue(fake.closed(), "a runner on an unusable host is not kept");

            fake.preflight(fake.goodPreflight());
            hyperv.define(work());
            assertEquals("define", fake.operations().get(fake.operations().size() - 1));
        } finally {
            hyperv.close();
        }
    }

    @Test
    void everyPreflightProblemHasItsOwnMessage() {
        FakeHyperV fake = new FakeHyperV();
        Map<String, String> problems = Map.of(
                "Windows", "Hyper-V needs a Windows host",
                "Vmms", "Virtual Machine Management service (vmms) is Stopped",
                "Administrator", "neither an administrator nor in 'Hyper-V Administrators'");
        problems.forEach((field, expected) -> {
            ObjectNode answer = fake.goodPreflight();
            switch (field) {
                case "Windows" -> answer.put("Windows", false);
                case "Vmms" -> answer.put("Vmms", "Stopped");
                default -> answer.put("Administrator", false).put("HyperVAdministrator", false);
            }
            Optional<String> problem = Preflight.parse(answer).problem();
            assertTrue(problem.isPresent() && problem.get().contains(expected), field + ": " + problem);
        });
        ObjectNode hyperVAdmin = fake.goodPreflight().put("Administrator", false).put("HyperVAdministrator", true);
        assertFalse(Preflight.parse(hyperVAdmin).problem().isPresent(), "Hyper-V Administrators suffice");
    }

    @Test
    void aPreflightThatFailsItselfIsReportedAsHyperVMissing() {
        FakeHyperV fake = new FakeHyperV();
        fake.failNext("preflight", "Get-Service", "Cannot find any service with service name 'vmms'.",
                "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand", "ObjectNotFound",
                "Microsoft.PowerShell.Commands.ServiceCommandException");
        HypervHypervisor hyperv = Backends.backend(fake, Map.of());
        try {
            HypervisorException define = assertThrows(HypervisorException.class, () -> hyperv.define(work()));
            assertTrue(define.getMessage().startsWith("Hyper-V module not available: checking the host through"
                    + " PowerShell failed: Get-Service: Cannot find any service"), define.getMessage());
        } finally {
            hyperv.close();
        }
    }

    @Test
    void aMissingHyperVIsCheckedOnceAndRememberedForStateQueries() {
        FakeHyperV fake = new FakeHyperV();
        fake.preflight(fake.goodPreflight().put("HyperVModule", false));
        HypervHypervisor hyperv = Backends.backend(fake, Map.of("unavailableRecheckSeconds", "3600"));
        try {
            for (int i = 0; i < 100; i++) {
                assertEquals(DomainState.SHUTOFF, hyperv.state("q" + i));
            }
            assertEquals(1, fake.operations().size(), "checked once, then remembered");
        } finally {
            hyperv.close();
        }
    }
}
