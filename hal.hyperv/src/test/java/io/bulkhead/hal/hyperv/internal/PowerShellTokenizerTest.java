package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Kind;
import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test tokenizer follows PowerShell's quoting rules (so that the other tests can trust it). */
class PowerShellTokenizerTest {

    private static List<String> literals(String script) {
        return PowerShellTokenizer.tokenize(script).stream().filter(t -> t.kind() == Kind.STRING).map(Token::text).toList();
    }

    @Test
    void aDoubledQuoteIsOneQuoteAndNothingElseIsSpecialInSingleQuotes() {
        assertEquals(List.of("it's"), literals("'it''s'"));
        assertEquals(List.of("$env:PATH `n \"x\" ; | # <# $(Stop-Computer)"),
                literals("'$env:PATH `n \"x\" ; | # <# $(Stop-Computer)'"));
        assertEquals(List.of("line1\nline2"), literals("'line1\nline2'"));
    }

    @Test
    void unicodeSingleQuotesOpenCloseAndEscapeLikeTheAsciiOne() {
        for (char q : new char[] {'\u2018', '\u2019', '\u201A', '\u201B'}) {
            // a Unicode quote ends an ASCII-opened literal: what follows is code
            List<Token> tokens = PowerShellTokenizer.tokenize("'a" + q + "; Stop-Computer; '" + "'");
            assertEquals(Kind.STRING, tokens.get(0).kind());
            assertEquals("a", tokens.get(0).text());
            assertEquals(new Token(Kind.WORD, "Stop-Computer"), tokens.get(2));
            // doubled, it is one literal character
            assertEquals(List.of("a" + q + "b"), literals("'a" + q + q + "b'"));
            // and it can open a literal too
            assertEquals(List.of("x"), literals(q + "x'"));
        }
        // mixed pairs escape too (PowerShell keeps the second)
        assertEquals(List.of("a\u2019b"), literals("'a'\u2019b'"));
    }

    @Test
    void codeOutsideStringsIsSeenAsCode() {
        List<Token> tokens = PowerShellTokenizer.tokenize("$vm = Find-BulkheadVm 'w'; Start-VM -VM $vm | Out-Null\n");
        assertEquals(List.of(new Token(Kind.VARIABLE, "$vm"), new Token(Kind.OPERATOR, "="),
                new Token(Kind.WORD, "Find-BulkheadVm"), new Token(Kind.STRING, "w"), new Token(Kind.OPERATOR, ";"),
                new Token(Kind.WORD, "Start-VM"), new Token(Kind.PARAMETER, "-VM"), new Token(Kind.VARIABLE, "$vm"),
                new Token(Kind.OPERATOR, "|"), new Token(Kind.WORD, "Out-Null"), new Token(Kind.NEWLINE, "\n")), tokens);
        assertEquals(Kind.PARAMETER, PowerShellTokenizer.tokenize("\u2013Force").get(0).kind(), "en dash starts a parameter");
        assertEquals(Kind.ESCAPE, PowerShellTokenizer.tokenize("a `; b").get(1).kind());
        assertEquals(Kind.EXPANDABLE_STRING, PowerShellTokenizer.tokenize("\"a `\" $(\"')\") b\"").get(0).kind());
        assertEquals(1, PowerShellTokenizer.tokenize("\"a `\" $(\"')\") b\"").size());
        assertEquals(Kind.HERE_STRING, PowerShellTokenizer.tokenize("@'\nx'\n'@").get(0).kind());
        assertEquals(List.of(), PowerShellTokenizer.tokenize("# 'not a string\n<# 'nor this' #>").stream()
                .filter(t -> t.kind() != Kind.NEWLINE).toList());
    }

    @Test
    void unterminatedStringsAndUnbalancedBracketsAreErrors() {
        assertThrows(PowerShellTokenizer.SyntaxError.class, () -> PowerShellTokenizer.tokenize("'abc"));
        assertThrows(PowerShellTokenizer.SyntaxError.class, () -> PowerShellTokenizer.tokenize("'abc\u2019"
                + "\u2019"));
        assertThrows(PowerShellTokenizer.SyntaxError.class, () -> PowerShellTokenizer.tokenize("\"abc"));
        assertThrows(PowerShellTokenizer.SyntaxError.class, () -> PowerShellTokenizer.tokenize("@(Get-VM"));
        assertThrows(PowerShellTokenizer.SyntaxError.class, () -> PowerShellTokenizer.tokenize("{ ) }"));
    }

    @Test
    void commandsAndParametersAreExtracted() {
        List<PsCommands.Invocation> commands = PsCommands.of("$x = @(Get-VM | Where-Object { $_.Name -ceq 'a' })\n"
                + "Set-VMFirmware -VM $vm -FirstBootDevice (Get-VMHardDiskDrive -VM $vm -ControllerLocation 0)\n"
                + "[pscustomobject]@{ A = 1; B = $x }\nStop-VM -VM $vm -TurnOff -Force -Confirm:$false\n");
        assertEquals(List.of("Get-VM", "Where-Object", "Set-VMFirmware", "Get-VMHardDiskDrive", "Stop-VM"),
                commands.stream().map(PsCommands.Invocation::name).toList());
        assertEquals("(...)", commands.get(2).get("-FirstBootDevice"));
        assertEquals("0", commands.get(3).get("-ControllerLocation"));
        PsCommands.Invocation stop = commands.get(4);
        assertEquals(null, stop.get("-TurnOff"));
        assertEquals("$false", stop.get("-Confirm"));
    }
}
