package io.bulkhead.hal.hyperv.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * The small PowerShell program a long-lived {@code powershell.exe}/{@code pwsh} process runs for
 * the backend: it reads one script per line (Base64 of its UTF-8 text, so no character of it is
 * ever interpreted by the console), runs it locally, in a kept-open remote PSSession, or with a
 * per-call {@code Invoke-Command -ComputerName}, and prints {@link #MARKER} followed by the
 * script's result envelope. One process serves every script, so the Hyper-V module is loaded once.
 */
final class RunnerLoop {

    /** Prefix of the line carrying a result envelope; other output lines are host noise. */
    static final String MARKER = "BULKHEAD-RESULT ";

    /** Line that ends the loop. */
    static final String EXIT = "exit";

    /**
     * Where scripts run.
     *
     * @param computer          remote computer name
     * @param keepSession       keep one PSSession open (Invoke-Command -Session) rather than
     *                          connecting per script (Invoke-Command -ComputerName)
     * @param configurationName session configuration (e.g. a JEA endpoint), empty for the default
     * @param useSsl            WinRM over HTTPS
     */
    record Remote(String computer, boolean keepSession, String configurationName, boolean useSsl) {
        Remote {
            Objects.requireNonNull(computer, "computer");
            Objects.requireNonNull(configurationName, "configurationName");
        }
    }

    private RunnerLoop() {
    }

    /** @return the loop program for scripts running locally ({@code remote} empty) or remotely */
    static PowerShellScript program(Optional<Remote> remote) {
        PowerShellScript.Builder b = PowerShellScript.builder("runner-loop", "");
        b.code("$ErrorActionPreference = ").lit("preference", "Stop").nl();
        b.code("$ProgressPreference = ").lit("preference", "SilentlyContinue").nl();
        b.line("[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)");
        b.line("$global:bulkheadSession = $null");
        b.line("function Invoke-BulkheadScript([string] $text) {");
        if (remote.isEmpty()) {
            b.line("  & ([scriptblock]::Create($text))");
        } else if (remote.get().keepSession()) {
            b.code("  if ($null -eq $global:bulkheadSession -or $global:bulkheadSession.State.ToString() -ne ")
                    .lit("session state", "Opened").line(") {");
            b.line("    if ($null -ne $global:bulkheadSession) {"
                    + " Remove-PSSession -Session $global:bulkheadSession -ErrorAction SilentlyContinue }");
            b.code("    $global:bulkheadSession = New-PSSession");
            connection(b, remote.get());
            b.nl();
            b.line("  }");
            b.line("  Invoke-Command -Session $global:bulkheadSession -ScriptBlock ([scriptblock]::Create($text))");
        } else {
            b.code("  Invoke-Command");
            connection(b, remote.get());
            b.line(" -ScriptBlock ([scriptblock]::Create($text))");
        }
        b.line("}");
        b.line("while ($true) {");
        b.line("  $line = [Console]::In.ReadLine()");
        b.code("  if ($null -eq $line -or $line -ceq ").lit("exit line", EXIT).line(") { break }");
        b.line("  try {");
        b.line("    $text = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line))");
        b.code("    $out = (@(Invoke-BulkheadScript $text) | ForEach-Object { [string]$_ }) -join ").lit("empty", "").nl();
        b.line("  } catch {");
        b.line("    $caught = $_");
        b.line("    $out = & {");
        PowerShellScript.Prelude.appendErrorEnvelope(b, "$caught");
        b.line("    }");
        b.line("  }");
        b.code("  [Console]::Out.WriteLine(").lit("marker", MARKER).line(" + $out)");
        b.line("  [Console]::Out.Flush()");
        b.line("}");
        return b.buildRaw();
    }

    /** The single line sent as the command of {@code -Command -}: decodes and runs the loop. */
    static String bootstrapLine(Optional<Remote> remote) {
        return "& ([scriptblock]::Create([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('"
                + encode(program(remote).text()) + "'))))";
    }

    /** @return one line for the loop: Base64 of the script's UTF-8 text */
    static String encode(String scriptText) {
        return Base64.getEncoder().encodeToString(scriptText.getBytes(StandardCharsets.UTF_8));
    }

    private static void connection(PowerShellScript.Builder b, Remote remote) {
        b.code(" -ComputerName ").lit("remote computer", remote.computer());
        if (!remote.configurationName().isEmpty()) {
            b.code(" -ConfigurationName ").lit("session configuration", remote.configurationName());
        }
        if (remote.useSsl()) {
            b.code(" -UseSSL");
        }
    }
}
