package io.bulkhead.hal.hyperv.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The PowerShell the backend runs, one method per operation. Every value from outside (qube and
 * VM names, paths, switch names, GUIDs, notes) enters through {@link PowerShellScript.Builder#lit};
 * VMs and switches are selected with exact, case-sensitive comparisons and handed to cmdlets as
 * objects ({@code -VM $vm}), never through {@code -Name}, whose values Hyper-V treats as wildcard
 * patterns. Each operation script ends by emitting the VM's current record.
 */
final class Scripts {

    /** How long the shutdown script waits for Stop-VM's job to report an immediate failure. */
    static final int SHUTDOWN_REQUEST_WAIT_SECONDS = 2;

    private final String vhdxDirectory;

    /** @param vhdxDirectory where VM directories go; empty = the Hyper-V host's default VHD path */
    Scripts(String vhdxDirectory) {
        this.vhdxDirectory = vhdxDirectory;
    }

    /** A port of the netvm for one client link: the netvm's VM name and the link's switch. */
    record NetvmPort(String netvmVm, LinkSwitch link, int uplinkIndex) {
    }

    /** Facts about the host deciding whether the backend can work there (see {@link Preflight}). */
    static PowerShellScript preflight() {
        return preflightBody(PowerShellScript.builder("preflight", "")).build();
    }

    private static PowerShellScript.Builder preflightBody(PowerShellScript.Builder b) {
        b.code("$windows = [Environment]::OSVersion.Platform.ToString() -eq ").lit("platform", "Win32NT").nl();
        b.code("$module = Get-Module -ListAvailable -Name ").lit("module", "Hyper-V").line(" | Select-Object -First 1");
        b.code("$vmms = Get-Service -Name ").lit("service", "vmms").line(" -ErrorAction SilentlyContinue");
        b.line("$administrator = $false");
        b.line("$hyperVAdministrator = $false");
        b.line("if ($windows) {");
        b.line("  $principal = [Security.Principal.WindowsPrincipal]::new([Security.Principal.WindowsIdentity]::GetCurrent())");
        b.line("  $administrator = $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)");
        b.code("  $hyperVAdministrator = $principal.IsInRole([Security.Principal.SecurityIdentifier]::new(")
                .lit("SID of Hyper-V Administrators", "S-1-5-32-578").line("))");
        b.line("}");
        b.code("$vmmsStatus = ").lit("status", "Missing").nl();
        b.line("if ($vmms) { $vmmsStatus = $vmms.Status.ToString() }");
        b.line("[pscustomobject]@{ Windows = $windows; HyperVModule = [bool]$module; Vmms = $vmmsStatus;"
                + " Administrator = $administrator; HyperVAdministrator = $hyperVAdministrator;"
                + " Computer = [Environment]::MachineName; PowerShell = $PSVersionTable.PSVersion.ToString() }");
        return b;
    }

    /** Records of every VM that carries the Bulkhead marker. */
    static PowerShellScript list() {
        PowerShellScript.Builder b = PowerShellScript.builder("list", "");
        b.line("@(Get-VM | Where-Object { Test-BulkheadNotes $_.Notes }) | ForEach-Object { ConvertTo-BulkheadRecord $_ }");
        return b.build();
    }

    /** Creates the VM anew (replacing an old definition of it) with its disks and adapters. */
    PowerShellScript define(VmDefinition d) {
        PowerShellScript.Builder b = PowerShellScript.builder("define", d.vmName());
        b.code("$foreign = @(Get-VM | Where-Object { $_.Name -eq ").lit("VM name", d.vmName())
                .line(" -and -not (Test-BulkheadNotes $_.Notes) })");
        b.code("if ($foreign.Count -gt 0) { throw ").lit("message", "Bulkhead: a Hyper-V VM named " + d.vmName()
                + " exists that Bulkhead did not create; rename or remove it, or set vmNamePrefix").line(" }");
        removeOwned(b, d.vmName(), "redefine");
        vmDirectory(b, d.qube());
        b.line("if ([System.IO.Directory]::Exists($dir)) { [System.IO.Directory]::Delete($dir, $true) }");
        b.line("$null = [System.IO.Directory]::CreateDirectory($dir)");
        for (DiskPlan disk : d.disks()) {
            String needed = disk instanceof DiskPlan.Attach a ? a.path()
                    : disk instanceof DiskPlan.Differencing diff ? diff.parent() : null;
            if (needed != null) {
                b.code("if (-not [System.IO.File]::Exists(").lit("disk path", needed).code(")) { throw ")
                        .lit("message", "Bulkhead: volume " + disk.volume() + " needs the VHDX file " + needed
                                + " (convert the image once: qemu-img convert -O vhdx -o subformat=dynamic <image> "
                                + needed + ")")
                        .line(" }");
            }
        }
        b.code("$vm = New-VM -Name ").lit("VM name", d.vmName()).code(" -Generation 2 -MemoryStartupBytes ")
                .num(d.memoryBytes()).line(" -Path $dir -NoVHD");
        b.code("Set-VM -VM $vm -CheckpointType Standard -AutomaticStartAction Nothing -AutomaticStopAction TurnOff -Notes ")
                .lit("VM notes", VmRecord.notesFor(d.qube())).nl();
        // Windows 10 1709+ takes a checkpoint at every start unless told not to; older hosts lack the switch.
        b.code("if ((Get-Command -Name Set-VM).Parameters.ContainsKey(").lit("parameter", "AutomaticCheckpointsEnabled")
                .line(")) { Set-VM -VM $vm -AutomaticCheckpointsEnabled $false }");
        b.code("Set-VMProcessor -VM $vm -Count ").num(d.vcpus()).nl();
        if (d.maxMemoryBytes() > d.memoryBytes()) {
            b.code("Set-VMMemory -VM $vm -DynamicMemoryEnabled $true -StartupBytes ").num(d.memoryBytes())
                    .code(" -MinimumBytes ").num(d.memoryBytes()).code(" -MaximumBytes ").num(d.maxMemoryBytes()).nl();
        } else {
            b.code("Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes ").num(d.memoryBytes()).nl();
        }
        if (d.secureBootTemplate().isEmpty()) {
            b.line("Set-VMFirmware -VM $vm -EnableSecureBoot Off");
        } else {
            b.code("Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate ")
                    .lit("Secure Boot template", d.secureBootTemplate()).nl();
        }
        b.code("Set-VMComPort -VM $vm -Number 1 -Path ").lit("console pipe", consolePipe(d.qube())).nl();
        b.line("Get-VMNetworkAdapter -VM $vm | Remove-VMNetworkAdapter");
        for (int i = 0; i < d.disks().size(); i++) {
            DiskPlan disk = d.disks().get(i);
            if (disk instanceof DiskPlan.Differencing diff) {
                b.code("$disk = [System.IO.Path]::Combine($dir, ").lit("disk file", diff.fileName()).line(")");
                b.code("$null = New-VHD -Path $disk -ParentPath ").lit("parent disk", diff.parent()).line(" -Differencing");
            } else if (disk instanceof DiskPlan.Fresh fresh) {
                b.code("$disk = [System.IO.Path]::Combine($dir, ").lit("disk file", fresh.fileName()).line(")");
                b.code("$null = New-VHD -Path $disk -SizeBytes ").num(fresh.sizeBytes()).line(" -Dynamic");
            } else {
                b.code("$disk = ").lit("disk path", ((DiskPlan.Attach) disk).path()).nl();
            }
            b.code("Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation ").num(i)
                    .line(" -Path $disk");
        }
        if (!d.disks().isEmpty()) {
            b.line("Set-VMFirmware -VM $vm -FirstBootDevice (Get-VMHardDiskDrive -VM $vm -ControllerType SCSI"
                    + " -ControllerNumber 0 -ControllerLocation 0)");
        }
        for (int i = 0; i < d.uplinks().size(); i++) {
            LinkSwitch link = d.uplinks().get(i);
            ensureSwitch(b, link);
            b.code("$nic = Add-VMNetworkAdapter -VM $vm -Name ").lit("adapter name", VmDefinition.uplinkAdapter(i))
                    .code(" -StaticMacAddress ").lit("MAC address", link.clientMac()).line(" -Passthru");
            b.line("Connect-VMNetworkAdapter -VMNetworkAdapter $nic -VMSwitch $switch[0]");
            // the client may not pose as another host, DHCP server or router on its link
            b.line("Set-VMNetworkAdapter -VMNetworkAdapter $nic -MacAddressSpoofing Off -DhcpGuard On -RouterGuard On");
        }
        if (d.externalSwitch().isPresent()) {
            String external = d.externalSwitch().get();
            b.code("$switch = Find-BulkheadSwitch ").lit("switch name", external).nl();
            b.code("if ($switch.Count -eq 0) { throw ").lit("message", "Bulkhead: the host switch " + external
                    + " named by feature hyperv-switch does not exist (Get-VMSwitch lists them)").line(" }");
            b.code("$nic = Add-VMNetworkAdapter -VM $vm -Name ").lit("adapter name", LinkSwitch.EXTERNAL_ADAPTER)
                    .line(" -Passthru");
            b.line("Connect-VMNetworkAdapter -VMNetworkAdapter $nic -VMSwitch $switch[0]");
        }
        if (d.netvmOf().isPresent()) {
            String prefix = LinkSwitch.notesPrefix(d.netvmOf().get());
            b.code("foreach ($link in @(Get-VMSwitch -SwitchType Private | Where-Object { ($_.Notes -is [string]) -and"
                    + " $_.Notes.StartsWith(").lit("switch notes", prefix).line(", [StringComparison]::Ordinal) })) {");
            b.code("  $mac = $link.Notes.Substring(").num(prefix.length()).line(")");
            b.code("  if ($mac -cmatch ").lit("pattern", "^[0-9A-F]{12}$").line(") {");
            b.line("    $nic = Add-VMNetworkAdapter -VM $vm -Name $link.Name -StaticMacAddress $mac -Passthru");
            b.line("    Connect-VMNetworkAdapter -VMNetworkAdapter $nic -VMSwitch $link");
            b.line("  }");
            b.line("}");
        }
        b.line("ConvertTo-BulkheadRecord $vm");
        return b.build();
    }

    /** Gives each link a port in its (running) netvm, then boots the VM. */
    static PowerShellScript start(String vmName, List<NetvmPort> ports) {
        PowerShellScript.Builder b = PowerShellScript.builder("start", vmName);
        findVm(b, vmName);
        for (NetvmPort port : ports) {
            plugNetvm(b, port);
        }
        b.line("Start-VM -VM $vm");
        b.line("ConvertTo-BulkheadRecord $vm");
        return b.build();
    }

    /** Removes the netvm ports and link switches of a client that stopped; never fails on leftovers. */
    static PowerShellScript unlink(String vmName, List<NetvmPort> ports) {
        PowerShellScript.Builder b = PowerShellScript.builder("unlink", vmName);
        for (NetvmPort port : ports) {
            b.code("foreach ($netvm in @(Get-VM | Where-Object { $_.Name -ceq ").lit("VM name", port.netvmVm())
                    .line(" -and (Test-BulkheadNotes $_.Notes) })) {");
            b.code("  Get-VMNetworkAdapter -VM $netvm | Where-Object { $_.SwitchName -ceq ")
                    .lit("switch name", port.link().name()).line(" } | Remove-VMNetworkAdapter");
            b.line("}");
            b.code("Find-BulkheadSwitch ").lit("switch name", port.link().name()).line(" | Remove-VMSwitch -Force");
        }
        return b.build();
    }

    static PowerShellScript pause(String vmName) {
        return simple("pause", vmName, "Suspend-VM -VM $vm");
    }

    /** Continues a VM that {@code Suspend-VM} paused. */
    static PowerShellScript resume(String vmName) {
        return simple("resume", vmName, "Resume-VM -VM $vm");
    }

    /** Continues a VM from its saved memory (a restored checkpoint). */
    static PowerShellScript resumeSaved(String vmName) {
        return simple("resume", vmName, "Start-VM -VM $vm");
    }

    /**
     * Asks the guest to shut down through the shutdown integration service. Stop-VM blocks until
     * the VM is off, so it runs as a job: the script waits a moment to surface an immediate
     * failure (no integration services, VM locked) and returns; the backend then polls.
     */
    static PowerShellScript requestShutdown(String vmName) {
        PowerShellScript.Builder b = PowerShellScript.builder("shutdown", vmName);
        findVm(b, vmName);
        // finished jobs of earlier requests would pile up in the long-lived runspace
        b.code("Get-Job | Where-Object { $_.State.ToString() -ne ").lit("job state", "Running").line(" } | Remove-Job");
        b.line("$job = Stop-VM -VM $vm -Force -AsJob");
        b.code("$null = Wait-Job -Job $job -Timeout ").num(SHUTDOWN_REQUEST_WAIT_SECONDS).nl();
        b.code("if ($job.State.ToString() -eq ").lit("job state", "Failed").line(") { Receive-Job -Job $job -ErrorAction Stop }");
        b.line("ConvertTo-BulkheadRecord $vm");
        return b.build();
    }

    /** Powers the VM off at once (no guest involvement). */
    static PowerShellScript turnOff(String vmName) {
        return simple("kill", vmName, "Stop-VM -VM $vm -TurnOff -Force");
    }

    /** Drops the saved memory of a saved VM, which leaves it off. */
    static PowerShellScript discardSavedState(String vmName) {
        return simple("kill", vmName, "Remove-VMSavedState -VM $vm");
    }

    /**
     * Takes a standard checkpoint (memory included) and turns the VM off. Emits the checkpoint's
     * id and name, then the VM record.
     */
    static PowerShellScript checkpoint(String vmName, String checkpointName, Duration timeout) {
        PowerShellScript.Builder b = PowerShellScript.builder("checkpoint", vmName).timeout(timeout);
        findVm(b, vmName);
        b.code("$checkpoint = Checkpoint-VM -VM $vm -SnapshotName ").lit("checkpoint name", checkpointName)
                .line(" -Passthru");
        b.line("Stop-VM -VM $vm -TurnOff -Force");
        b.line("[pscustomobject]@{ CheckpointId = $checkpoint.Id.ToString(); CheckpointName = $checkpoint.Name }");
        b.line("ConvertTo-BulkheadRecord $vm");
        return b.build();
    }

    /**
     * Applies a checkpoint (the VM is then Saved: memory restored, not executing), reconnects its
     * uplinks and gives the netvms their ports again.
     */
    static PowerShellScript restore(String vmName, UUID checkpointId, List<NetvmPort> ports, Duration timeout) {
        PowerShellScript.Builder b = PowerShellScript.builder("restore", vmName).timeout(timeout);
        findVm(b, vmName);
        b.code("$checkpoint = @(Get-VMSnapshot -VM $vm | Where-Object { $_.Id -eq [guid]")
                .lit("checkpoint id", checkpointId.toString()).line(" })");
        b.code("if ($checkpoint.Count -eq 0) { throw ").lit("message", "Bulkhead: checkpoint " + checkpointId
                + " of VM " + vmName + " no longer exists (the qube was defined again after it was saved)").line(" }");
        b.line("Restore-VMSnapshot -VMSnapshot $checkpoint[0] -Confirm:$false");
        for (NetvmPort port : ports) {
            ensureSwitch(b, port.link());
            b.code("foreach ($nic in @(Get-VMNetworkAdapter -VM $vm | Where-Object { $_.Name -ceq ")
                    .lit("adapter name", VmDefinition.uplinkAdapter(port.uplinkIndex())).line(" })) {");
            b.line("  Connect-VMNetworkAdapter -VMNetworkAdapter $nic -VMSwitch $switch[0]");
            b.line("}");
            plugNetvm(b, port);
        }
        b.line("ConvertTo-BulkheadRecord $vm");
        return b.build();
    }

    /** Deletes the VM (if it is off) and its directory of differencing and volatile disks. */
    PowerShellScript remove(String vmName, Optional<UUID> qube) {
        PowerShellScript.Builder b = PowerShellScript.builder("remove", vmName);
        removeOwned(b, vmName, "undefine");
        if (qube.isPresent()) {
            vmDirectory(b, qube.get());
            b.line("if ([System.IO.Directory]::Exists($dir)) { [System.IO.Directory]::Delete($dir, $true) }");
        }
        return b.build();
    }

    /**
     * Assigns a host PCI device to an off VM with Discrete Device Assignment: finds it by its
     * location (bus/device/function), disables it on the host, dismounts it and adds it to the VM.
     */
    static PowerShellScript assignPci(String vmName, PciAddress address) {
        PowerShellScript.Builder b = PowerShellScript.builder("assign-pci", vmName);
        findVm(b, vmName);
        requireOff(b, vmName, "assign PCI device " + address);
        findPciDevice(b, address, "-PresentOnly ");
        b.line("Set-VM -VM $vm -GuestControlledCacheTypes $true -LowMemoryMappedIoSpace 3GB -HighMemoryMappedIoSpace 33280MB");
        b.line("Disable-PnpDevice -InstanceId $device[0].InstanceId -Confirm:$false");
        b.line("Dismount-VMHostAssignableDevice -LocationPath $location -Force");
        b.line("Add-VMAssignableDevice -VM $vm -LocationPath $location");
        b.line("[pscustomobject]@{ LocationPath = $location }");
        return b.build();
    }

    /** Gives a PCI device assigned by {@link #assignPci} back to the host. */
    static PowerShellScript releasePci(String vmName, PciAddress address) {
        PowerShellScript.Builder b = PowerShellScript.builder("release-pci", vmName);
        findVm(b, vmName);
        requireOff(b, vmName, "release PCI device " + address);
        findPciDevice(b, address, "");
        b.line("Remove-VMAssignableDevice -VM $vm -LocationPath $location");
        b.line("Mount-VMHostAssignableDevice -LocationPath $location");
        b.line("Enable-PnpDevice -InstanceId $device[0].InstanceId -Confirm:$false");
        b.line("[pscustomobject]@{ LocationPath = $location }");
        return b.build();
    }

    /** Named pipe the VM's COM1 is connected to (attach with PuTTY or a pipe client). */
    static String consolePipe(UUID qube) {
        return "\\\\.\\pipe\\bulkhead-" + qube + "-com1";
    }

    // ---- fragments ------------------------------------------------------------------------------

    private static PowerShellScript simple(String operation, String vmName, String command) {
        PowerShellScript.Builder b = PowerShellScript.builder(operation, vmName);
        findVm(b, vmName);
        b.line(command);
        b.line("ConvertTo-BulkheadRecord $vm");
        return b.build();
    }

    private static void findVm(PowerShellScript.Builder b, String vmName) {
        b.code("$vm = Find-BulkheadVm ").lit("VM name", vmName).nl();
    }

    private static void requireOff(PowerShellScript.Builder b, String vmName, String action) {
        b.code("if ($vm.State.ToString() -ne ").lit("state", "Off").code(") { throw ").lit("message",
                "Bulkhead: cannot " + action + " while VM " + vmName + " runs: Discrete Device Assignment needs the"
                        + " VM off").line(" }");
    }

    private static void removeOwned(PowerShellScript.Builder b, String vmName, String action) {
        b.code("foreach ($old in @(Get-VM | Where-Object { $_.Name -ceq ").lit("VM name", vmName)
                .line(" -and (Test-BulkheadNotes $_.Notes) })) {");
        b.code("  if (-not $old.State.ToString().StartsWith(").lit("state", "Off").code(")) { throw ")
                .lit("message", "Bulkhead: cannot " + action + " VM " + vmName + " while it is not off").line(" }");
        b.line("  Remove-VM -VM $old -Force");
        b.line("}");
    }

    private void vmDirectory(PowerShellScript.Builder b, UUID qube) {
        if (vhdxDirectory.isEmpty()) {
            b.line("$root = (Get-VMHost).VirtualHardDiskPath");
        } else {
            b.code("$root = ").lit("VHDX directory", vhdxDirectory).nl();
        }
        // the directory below it is deleted recursively: never resolve it against a working directory
        b.code("if (-not [System.IO.Path]::IsPathRooted($root)) { throw ").lit("message",
                "Bulkhead: the VHDX directory must be an absolute path (configuration vhdxDirectory)").line(" }");
        b.code("$dir = [System.IO.Path]::Combine($root, ").lit("VM directory", qube.toString()).line(")");
    }

    private static void ensureSwitch(PowerShellScript.Builder b, LinkSwitch link) {
        b.code("$switch = Find-BulkheadSwitch ").lit("switch name", link.name()).nl();
        b.code("if ($switch.Count -eq 0) { $switch = @(New-VMSwitch -Name ").lit("switch name", link.name())
                .code(" -SwitchType Private -Notes ").lit("switch notes", link.notes()).line(") }");
    }

    private static void plugNetvm(PowerShellScript.Builder b, NetvmPort port) {
        String name = port.link().name();
        b.code("$netvm = Find-BulkheadVm ").lit("VM name", port.netvmVm()).nl();
        b.code("$switch = Find-BulkheadSwitch ").lit("switch name", name).nl();
        b.code("if ($switch.Count -eq 0) { throw ").lit("message", "Bulkhead: link switch " + name
                + " is missing; define the qube again").line(" }");
        b.code("if (@(Get-VMNetworkAdapter -VM $netvm | Where-Object { $_.SwitchName -ceq ").lit("switch name", name)
                .line(" }).Count -eq 0) {");
        b.code("  $port = Add-VMNetworkAdapter -VM $netvm -Name ").lit("adapter name", name).code(" -StaticMacAddress ")
                .lit("MAC address", port.link().netvmMac()).line(" -Passthru");
        b.line("  Connect-VMNetworkAdapter -VMNetworkAdapter $port -VMSwitch $switch[0]");
        b.line("}");
    }

    private static void findPciDevice(PowerShellScript.Builder b, PciAddress address, String presentOnly) {
        b.code("$device = @(Get-PnpDevice " + presentOnly + "| Where-Object { $_.InstanceId.StartsWith(")
                .lit("instance prefix", "PCI\\").code(") -and (Get-PnpDeviceProperty -InstanceId $_.InstanceId -KeyName ")
                .lit("property", "DEVPKEY_Device_LocationInfo").code(").Data -ceq ").lit("location", address.locationInfo())
                .line(" })");
        b.code("if ($device.Count -ne 1) { throw ").lit("message", "Bulkhead: expected one host PCI device at "
                + address.locationInfo()).code(" + ").lit("message", ", found ").line(" + $device.Count }");
        b.code("$location = @((Get-PnpDeviceProperty -InstanceId $device[0].InstanceId -KeyName ")
                .lit("property", "DEVPKEY_Device_LocationPaths").line(").Data)[0]");
    }
}
