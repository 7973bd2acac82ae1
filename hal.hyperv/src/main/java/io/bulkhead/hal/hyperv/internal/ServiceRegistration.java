package io.bulkhead.hal.hyperv.internal;

import java.util.UUID;

/**
 * The PowerShell command that registers an hvsocket service GUID on the Hyper-V host: Windows
 * refuses connections to services missing from
 * {@code HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\GuestCommunicationServices}.
 * Run it once, elevated, on the host.
 */
final class ServiceRegistration {

    static final String REGISTRY_KEY =
            "HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Virtualization\\GuestCommunicationServices";

    private ServiceRegistration() {
    }

    /** @return the registration as a script (also checked by the quoting tests) */
    static PowerShellScript script(UUID service, String friendlyName) {
        PowerShellScript.Builder b = PowerShellScript.builder("register-hvsocket-service", "");
        b.code("$key = New-Item -Path ").lit("registry key", REGISTRY_KEY).code(" -Name ")
                .lit("service GUID", service.toString()).line(" -Force");
        b.code("$null = New-ItemProperty -LiteralPath $key.PSPath -Name ").lit("value name", "ElementName")
                .code(" -Value ").lit("friendly name", friendlyName).line(" -PropertyType String -Force");
        return b.buildRaw();
    }

    /** @return the registration command text to show to users */
    static String command(UUID service, String friendlyName) {
        return script(service, friendlyName).text().strip();
    }
}
