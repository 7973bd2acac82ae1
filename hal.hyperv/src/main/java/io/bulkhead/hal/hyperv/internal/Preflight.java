package io.bulkhead.hal.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What the preflight script found out about the (local or remote) host, and whether the backend
 * can work there. Checked before the first Hyper-V operation, never at component activation.
 *
 * @param windows             PowerShell runs on Windows
 * @param hyperVModule        the Hyper-V PowerShell module is installed
 * @param vmms                status of the Virtual Machine Management service ({@code Running}, ..., {@code Missing})
 * @param administrator       the user is an administrator
 * @param hyperVAdministrator the user is in Hyper-V Administrators (S-1-5-32-578)
 * @param computer            the host's name
 * @param powerShell          PowerShell version
 */
record Preflight(boolean windows, boolean hyperVModule, String vmms, boolean administrator,
        boolean hyperVAdministrator, String computer, String powerShell) {

    static Preflight parse(JsonNode node) {
        return new Preflight(node.path("Windows").asBoolean(false), node.path("HyperVModule").asBoolean(false),
                node.path("Vmms").asText("Missing"), node.path("Administrator").asBoolean(false),
                node.path("HyperVAdministrator").asBoolean(false), node.path("Computer").asText("?"),
                node.path("PowerShell").asText("?"));
    }

    /** @return why Hyper-V cannot be used on this host, or empty if it can */
    Optional<String> problem() {
        String where = " on " + computer + " (PowerShell " + powerShell + ")";
        if (!windows) {
            return Optional.of("Hyper-V module not available" + where + ": Hyper-V needs a Windows host");
        }
        if (!hyperVModule) {
            return Optional.of("Hyper-V module not available" + where + ": enable Hyper-V with its PowerShell module"
                    + " (Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All, or on Windows"
                    + " Server: Install-WindowsFeature -Name Hyper-V -IncludeManagementTools) and reboot");
        }
        if (!vmms.equals("Running")) {
            return Optional.of("the Hyper-V Virtual Machine Management service (vmms) is " + vmms + where
                    + ": start it with Start-Service vmms");
        }
        if (!administrator && !hyperVAdministrator) {
            return Optional.of("the user running dom0 is neither an administrator nor in 'Hyper-V Administrators'"
                    + where + " (Get-VM would silently list no VMs): add it with"
                    + " Add-LocalGroupMember -SID S-1-5-32-578 -Member <user>, then log in again");
        }
        return Optional.empty();
    }
}
