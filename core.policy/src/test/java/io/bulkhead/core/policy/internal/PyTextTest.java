package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class PyTextTest {

    @Test
    void reprQuotesLikePython() {
        assertEquals("'abc'", PyText.repr("abc"));
        assertEquals("\"it's\"", PyText.repr("it's"));
        assertEquals("'both \\' and \"'", PyText.repr("both ' and \""));
        assertEquals("'a\\\\b'", PyText.repr("a\\b"));
        assertEquals("'\\t\\n\\x00\\x7f'", PyText.repr("\t\n\u0000\u007f"));
        assertEquals("'\\xa0é'", PyText.repr("\u00a0é"));
    }

    @Test
    void tupleAndListRepr() {
        assertEquals("('+',)", PyText.reprTuple(List.of("+")));
        assertEquals("('+', '/')", PyText.reprTuple(List.of("+", "/")));
        assertEquals("['a=b', 'c']", PyText.reprList(List.of("a=b", "c")));
        assertEquals("[]", PyText.reprList(List.of()));
    }

    @Test
    void splitAndStripUseUnicodeWhitespace() {
        assertEquals(List.of("a", "b", "c"), PyText.split(" a\tb\u00a0\u2003c\u000b"));
        assertEquals("x y", PyText.strip("\u3000\u001c x y \u0085"));
        assertEquals(List.of(), PyText.split("  \t "));
        // NUL and the zero-width space are not whitespace for Python either
        assertEquals(List.of("a\u0000b\u200bc"), PyText.split("a\u0000b\u200bc"));
    }

    @Test
    void universalNewlines() {
        assertEquals(List.of("a", "b", "", "c"), PolicyReader.lines("a\r\nb\r\rc"));
        assertEquals(List.of("a", "b"), PolicyReader.lines("a\nb\n"));
        assertEquals(List.of(), PolicyReader.lines(""));
    }
}
