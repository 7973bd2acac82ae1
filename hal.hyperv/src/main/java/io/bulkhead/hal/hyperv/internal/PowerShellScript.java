package io.bulkhead.hal.hyperv.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One PowerShell script the backend runs, ready to send: the text (prelude + body inside the
 * result envelope) and, for checking, every value that was interpolated into it as a string
 * literal, in order of appearance.
 *
 * @param operation short name of what the script does ({@code define}, {@code start}, ...)
 * @param subject   the Hyper-V VM it acts on, empty for host-wide scripts
 * @param text      complete script text
 * @param literals  the values of all single-quoted literals in {@code text}, in order
 * @param timeout   how long the runner may wait for the result, if longer than its default
 */
record PowerShellScript(String operation, String subject, String text, List<String> literals,
        Optional<Duration> timeout) {

    /** First line of a VM's Notes that marks it as created by Bulkhead. */
    static final String NOTES_MARKER = "Managed by Bulkhead (qube ";

    PowerShellScript {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        literals = List.copyOf(literals);
        Objects.requireNonNull(timeout, "timeout");
    }

    /** @return a builder for a script body; {@link Builder#build()} wraps it */
    static Builder builder(String operation, String subject) {
        return new Builder(operation, subject);
    }

    /** Appends code and quoted values; values only ever enter the text through {@link #lit}. */
    static final class Builder {
        private final String operation;
        private final String subject;
        private final StringBuilder text = new StringBuilder();
        private final List<String> literals = new ArrayList<>();
        private Duration timeout;

        private Builder(String operation, String subject) {
            this.operation = operation;
            this.subject = subject;
        }

        /** Appends PowerShell code written in this code base (never a value from outside). */
        Builder code(String code) {
            text.append(code);
            return this;
        }

        /** Appends code and a line break. */
        Builder line(String code) {
            text.append(code).append('\n');
            return this;
        }

        /** Appends {@code value} as a single-quoted literal; {@code what} names it in errors. */
        Builder lit(String what, String value) {
            text.append(PowerShellQuoting.literal(what, value));
            literals.add(value);
            return this;
        }

        /** Appends a decimal integer. */
        Builder num(long value) {
            text.append(value);
            return this;
        }

        Builder nl() {
            text.append('\n');
            return this;
        }

        /** The runner waits up to this long for the result (long waits inside the script). */
        Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** @return the body wrapped in the prelude and the result envelope */
        PowerShellScript build() {
            Builder whole = new Builder(operation, subject);
            Prelude.appendTo(whole);
            whole.line("try {");
            whole.line("$bulkheadResult = @(& {");
            whole.text.append(text);
            whole.literals.addAll(literals);
            if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
                whole.nl();
            }
            whole.line("})");
            whole.line("ConvertTo-Json -Compress -Depth 8 -InputObject ([ordered]@{ ok = $true; value = $bulkheadResult })");
            whole.line("} catch {");
            Prelude.appendErrorEnvelope(whole, "$_");
            whole.line("}");
            return new PowerShellScript(operation, subject, whole.text.toString(), whole.literals,
                    Optional.ofNullable(timeout));
        }

        /** @return the text as built so far, without wrapping (for the runner's own loop) */
        PowerShellScript buildRaw() {
            return new PowerShellScript(operation, subject, text.toString(), literals, Optional.ofNullable(timeout));
        }
    }

    /** Code every script starts with: strict errors, quiet progress, helper functions. */
    static final class Prelude {

        private Prelude() {
        }

        static void appendTo(Builder b) {
            b.code("$ErrorActionPreference = ").lit("preference", "Stop").nl();
            b.code("$ProgressPreference = ").lit("preference", "SilentlyContinue").nl();
            // Bulkhead's VMs carry a marker in their Notes; VMs without it are never touched.
            b.line("function Test-BulkheadNotes($notes) {");
            b.code("  ($notes -is [string]) -and $notes.StartsWith(").lit("notes marker", NOTES_MARKER)
                    .line(", [StringComparison]::Ordinal)");
            b.line("}");
            // Exact, case-sensitive name match: -Name parameters of Hyper-V cmdlets take wildcards.
            b.line("function Find-BulkheadVm([string] $name) {");
            b.line("  $found = @(Get-VM | Where-Object { $_.Name -ceq $name -and (Test-BulkheadNotes $_.Notes) })");
            b.line("  if ($found.Count -eq 0) {");
            b.code("    throw [System.Management.Automation.ItemNotFoundException]::new(")
                    .lit("message", "Bulkhead: no Hyper-V VM managed by Bulkhead is named ").line(" + $name)");
            b.line("  }");
            b.line("  if ($found.Count -gt 1) {");
            b.code("    throw (").lit("message", "Bulkhead: several Hyper-V VMs managed by Bulkhead are named ")
                    .line(" + $name)");
            b.line("  }");
            b.line("  $found[0]");
            b.line("}");
            b.line("function Find-BulkheadSwitch([string] $name) {");
            b.line("  @(Get-VMSwitch | Where-Object { $_.Name -ceq $name })");
            b.line("}");
            b.line("function ConvertTo-BulkheadRecord($vm) {");
            b.line("  $vm = Get-VM -Id $vm.Id");
            b.line("  [pscustomobject]@{ Name = $vm.Name; Id = $vm.Id.ToString(); State = $vm.State.ToString();"
                    + " Status = [string]$vm.Status; Notes = [string]$vm.Notes }");
            b.line("}");
        }

        /** Emits the JSON error envelope of the error record in {@code variable}. */
        static void appendErrorEnvelope(Builder b, String variable) {
            b.line("$bulkheadError = " + variable);
            b.code("$bulkheadCommand = ").lit("empty", "").nl();
            b.line("if ($bulkheadError.InvocationInfo -and $bulkheadError.InvocationInfo.MyCommand) {"
                    + " $bulkheadCommand = $bulkheadError.InvocationInfo.MyCommand.Name }");
            b.line("ConvertTo-Json -Compress -Depth 4 -InputObject ([ordered]@{ ok = $false; error = [ordered]@{"
                    + " message = $bulkheadError.Exception.Message; errorId = [string]$bulkheadError.FullyQualifiedErrorId;"
                    + " category = $bulkheadError.CategoryInfo.Category.ToString(); command = [string]$bulkheadCommand;"
                    + " exception = $bulkheadError.Exception.GetType().FullName } })");
        }
    }
}
