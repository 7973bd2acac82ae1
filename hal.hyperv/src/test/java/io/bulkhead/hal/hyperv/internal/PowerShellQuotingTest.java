package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Kind;
import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Token;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PowerShellQuotingTest {

    @Test
    void everyQuoteCharacterIsDoubled() {
        assertEquals("'it''s'", PowerShellQuoting.literal("v", "it's"));
        assertEquals("'a\u2018\u2018b\u2019\u2019c\u201A\u201Ad\u201B\u201Be'",
                PowerShellQuoting.literal("v", "a\u2018b\u2019c\u201Ad\u201Be"));
        assertEquals("'$(x) `n \"y\"'", PowerShellQuoting.literal("v", "$(x) `n \"y\""), "nothing else is touched");
        assertEquals("''", PowerShellQuoting.literal("v", ""));
    }

    @Test
    void nulAndUnpairedSurrogatesAreRejectedNamingTheValue() {
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> PowerShellQuoting.literal("VM name", "wo\0rk"));
        assertTrue(nul.getMessage().contains("VM name") && nul.getMessage().contains("NUL")
                && nul.getMessage().contains("'wo\\u0000rk'"), nul.getMessage());
        IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class,
                () -> PowerShellQuoting.literal("disk path", "x\uD800"));
        assertTrue(surrogate.getMessage().contains("disk path") && surrogate.getMessage().contains("surrogate"),
                surrogate.getMessage());
        assertEquals("'\uD83D\uDE00'", PowerShellQuoting.literal("v", "\uD83D\uDE00"), "a proper pair is fine");
    }

    @Provide
    Arbitrary<String> hostile() {
        return HostileStrings.values();
    }

    @Provide
    Arbitrary<String> unquotable() {
        return HostileStrings.unquotable();
    }

    @Property(tries = 600)
    void aQuotedValueIsExactlyOneLiteralTokenWithItsValue(@ForAll("hostile") String value) {
        List<Token> tokens = PowerShellTokenizer.tokenize(PowerShellQuoting.literal("v", value));
        assertEquals(List.of(new Token(Kind.STRING, value)), tokens);
    }

    @Property(tries = 600)
    void aQuotedValueInsideACommandAddsNoCommand(@ForAll("hostile") String value) {
        String script = "Get-VM -Name " + PowerShellQuoting.literal("v", value) + " | Stop-VM -TurnOff\nGet-VMHost\n";
        List<Token> tokens = PowerShellTokenizer.tokenize(script);
        assertEquals(List.of(new Token(Kind.WORD, "Get-VM"), new Token(Kind.PARAMETER, "-Name"),
                new Token(Kind.STRING, value), new Token(Kind.OPERATOR, "|"), new Token(Kind.WORD, "Stop-VM"),
                new Token(Kind.PARAMETER, "-TurnOff"), new Token(Kind.NEWLINE, "\n"), new Token(Kind.WORD, "Get-VMHost"),
                new Token(Kind.NEWLINE, "\n")), tokens);
        assertEquals(List.of("Get-VM", "Stop-VM", "Get-VMHost"), PsCommands.names(script));
    }

    @Property(tries = 200)
    void valuesPowerShellCannotCarryAreRefused(@ForAll("unquotable") String value) {
        assertThrows(IllegalArgumentException.class, () -> PowerShellQuoting.literal("v", value));
    }
}
