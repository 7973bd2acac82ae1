package io.bulkhead.hal.hyperv.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** ConfigAdmin configuration of the Hyper-V backend (PID {@code io.bulkhead.hal.hyperv}). */
@ObjectClassDefinition(name = "Bulkhead Hyper-V hypervisor backend",
        description = "Runs every qube as a Generation 2 Hyper-V VM through the Hyper-V PowerShell module;"
                + " qrexec over hvsocket.")
public @interface HypervConfiguration {

    @AttributeDefinition(description = "PowerShell executable: empty = pwsh.exe, else powershell.exe on PATH"
            + " (pwsh elsewhere); a name looked up on PATH, or a path")
    String powershell() default "";

    @AttributeDefinition(description = "Hyper-V host to manage remotely through PowerShell remoting; empty = this machine")
    String remoteComputer() default "";

    @AttributeDefinition(description = "How to reach remoteComputer: session = one PSSession kept open"
            + " (Invoke-Command -Session), invoke = Invoke-Command -ComputerName for every script",
            options = {@Option(value = "session"), @Option(value = "invoke")})
    String remoteMode() default "session";

    @AttributeDefinition(description = "PowerShell session configuration on remoteComputer (e.g. a JEA endpoint); empty = default")
    String remoteConfigurationName() default "";

    @AttributeDefinition(description = "Use WinRM over HTTPS for remoteComputer")
    boolean remoteUseSsl() default false;

    @AttributeDefinition(description = "Directory on the Hyper-V host for VM configurations and the disks the backend"
            + " creates (one sub-directory per qube UUID); empty = the host's VirtualHardDiskPath")
    String vhdxDirectory() default "";

    @AttributeDefinition(description = "Prefix of Hyper-V VM names (VM name = prefix + qube name)")
    String vmNamePrefix() default "";

    @AttributeDefinition(description = "Prefix of the private virtual switches created for netvm links")
    String switchNamePrefix() default "bulkhead-";

    @AttributeDefinition(description = "hvsocket service GUID of the qrexec channel (default: Linux guest AF_VSOCK port 512)")
    String qrexecServiceGuid() default "00000200-facb-11e6-bd58-64006a7986d3";

    @AttributeDefinition(description = "hvsocket service GUID of the QubesDB channel (default: Linux guest AF_VSOCK port 111)")
    String qubesdbServiceGuid() default "0000006f-facb-11e6-bd58-64006a7986d3";

    @AttributeDefinition(description = "Secure Boot: off, or the template to use (MicrosoftUEFICertificateAuthority for"
            + " Linux guests with a signed shim, MicrosoftWindows)",
            options = {@Option(value = "off"), @Option(value = "MicrosoftUEFICertificateAuthority"),
                @Option(value = "MicrosoftWindows")})
    String secureBoot() default "off";

    @AttributeDefinition(description = "Offer PCI passthrough through Discrete Device Assignment (Windows Server only;"
            + " devices can only be assigned to VMs that are off)")
    boolean pciPassthrough() default false;

    @AttributeDefinition(description = "Size in GiB of a volatile disk when the size of its raw image cannot be read")
    int volatileSizeGiB() default 10;

    @AttributeDefinition(description = "Longest time a PowerShell script may run, in seconds")
    int scriptTimeoutSeconds() default 120;

    @AttributeDefinition(description = "Interval of the Get-VM poll that notices state changes nobody asked for, in seconds")
    int statePollSeconds() default 2;

    @AttributeDefinition(description = "How long openChannel retries while the guest does not listen yet, in seconds")
    int channelConnectTimeoutSeconds() default 10;

    @AttributeDefinition(description = "After PowerShell or Hyper-V was found missing, look again after this many seconds")
    int unavailableRecheckSeconds() default 30;
}
