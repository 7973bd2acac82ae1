package io.bulkhead.qvm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The Python habits the messages and tables rely on. */
class TextsTest {

    @Test
    void reprQuotesAsPython() {
        assertEquals("'work'", Texts.repr("work"));
        assertEquals("\"it's\"", Texts.repr("it's"));
        assertEquals("'say \"it\\'s\"'", Texts.repr("say \"it's\""));
        assertEquals("'a\\nb\\\\c\\x01'", Texts.repr("a\nb\\c\u0001"));
    }

    @Test
    void fnmatchAsPython() {
        assertTrue(Texts.fnmatch("sys-*", "sys-net"));
        assertTrue(Texts.fnmatch("w?rk", "work"));
        assertTrue(Texts.fnmatch("[dw]ork", "dork"));
        assertFalse(Texts.fnmatch("[!dw]ork", "work"));
        assertFalse(Texts.fnmatch("sys.*", "sys-net"));
        assertTrue(Texts.fnmatch("a+b", "a+b"));
        assertTrue(Texts.hasWildcard("a*"));
        assertFalse(Texts.hasWildcard("sys-net"));
    }

    @Test
    void wrapKeepsPaddingAndIndentsContinuations() {
        assertEquals("  ab    one two\n        three", Texts.wrap("ab    one two three", 15, "  ", "        "));
        assertEquals("  word", Texts.wrap("word", 3, "  ", "    "));
    }

    @Test
    void shellQuoteAsShlex() {
        assertEquals("ls", Texts.shellQuote("ls"));
        assertEquals("''", Texts.shellQuote(""));
        assertEquals("'my file'", Texts.shellQuote("my file"));
        assertEquals("'it'\"'\"'s'", Texts.shellQuote("it's"));
        assertEquals("--color=auto", Texts.shellQuote("--color=auto"));
    }

    @Test
    void tableColumnsArePaddedTwoSpacesApartWithoutTrailingBlanks() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        TableWriter.print(out, List.of(List.of("NAME", "STATE"), List.of("a-long-name", ""), List.of("x", "Running")));
        out.flush();
        assertEquals("NAME         STATE\na-long-name\nx            Running\n", text.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void propertyValuesParseAsQubesadmin() {
        assertEquals(new PropertyValue(true, "vm", ""), PropertyValue.parse("default=True type=vm "));
        assertEquals("None", PropertyValue.parse("default=True type=vm ").display());
        assertTrue(PropertyValue.parse("default=False type=int ").unset());
        assertEquals("a b", PropertyValue.parse("default=False type=str a b").value());
    }

    @Test
    void getAllUnescapesBackslashAndNewline() {
        Map<String, PropertyValue> all = AdminSession.parseAll("kernelopts default=False type=str a\\nb\\\\c\nlabel default=True type=label red\n");
        assertEquals("a\nb\\c", all.get("kernelopts").value());
        assertEquals(List.of("kernelopts", "label"), List.copyOf(all.keySet()));
    }

    @Test
    void picocliMessagesInArgparseWords() {
        assertEquals("the following arguments are required: VMNAME", Tools.argparseMessage("Missing required parameter: 'VMNAME'"));
        assertEquals("unrecognized arguments: --bogus", Tools.argparseMessage("Unknown option: '--bogus'"));
        assertEquals("unrecognized arguments: a b", Tools.argparseMessage("Unmatched arguments from index 2: 'a', 'b'"));
    }
}
