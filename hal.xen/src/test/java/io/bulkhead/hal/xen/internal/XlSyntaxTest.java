package io.bulkhead.hal.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The xl.cfg string layer, with libxlutil reading the result. */
class XlSyntaxTest {

    private static final LibXlUtil XLU = new LibXlUtil();

    @Test
    void quotesAndBackslashesAreEscapedAndReadBackByLibxlutil() {
        String value = "a \"quoted\" \\back\\slash 'single' # not a comment, [x] = y; é €";
        String line = "k = " + XlSyntax.quote("value", value) + "\nl = " + XlSyntax.list("item", List.of(value, "b"))
                + "\n";
        assertEquals("k = \"a \\\"quoted\\\" \\\\back\\\\slash 'single' # not a comment, [x] = y; é €\"",
                line.lines().findFirst().orElseThrow());
        try (LibXlUtil.Parsed cfg = XLU.parse("t.cfg", line)) {
            assertEquals(0, cfg.status(), cfg.report());
            assertEquals(Optional.of(value), cfg.string("k"));
            assertEquals(List.of(value, "b"), cfg.list("l"));
        }
    }

    @Test
    void controlCharactersAndLoneSurrogatesAreRejectedNamingTheValue() {
        IllegalArgumentException newline = assertThrows(IllegalArgumentException.class,
                () -> XlSyntax.quote("kernel options of domain work", "quiet\nevil=1"));
        assertEquals("kernel options of domain work contains the control character U+000A at index 5: "
                + "xl.cfg strings cannot carry it", newline.getMessage());
        assertThrows(IllegalArgumentException.class, () -> XlSyntax.quote("x", "nul\u0000"));
        assertThrows(IllegalArgumentException.class, () -> XlSyntax.quote("x", "del\u007f"));
        IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class,
                () -> XlSyntax.quote("path", "/a\uD800b"));
        assertTrue(surrogate.getMessage().contains("lone surrogate"), surrogate.getMessage());
    }

    @Test
    void libxlutilsNumericEscapesAreUnusableSoControlCharactersCannotBeEscaped() {
        try (LibXlUtil.Parsed cfg = XLU.parse("t.cfg", "ok = 1\na = \"x\\x41y\"\n")) {
            assertTrue(cfg.status() != 0, "a hex escape is rejected");
            assertTrue(cfg.report().contains("t.cfg:2"), cfg.report());
        }
        try (LibXlUtil.Parsed cfg = XLU.parse("t.cfg", "a = \"x\\101y\"\n")) {
            assertEquals(0, cfg.status(), cfg.report());
            assertEquals(Optional.of("xy"), cfg.string("a"), "an octal escape is parsed, and its character dropped");
        }
    }
}
