package io.bulkhead.core.domains;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QubeNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"work", "a", "A1-b_c.d", "sys-net", "disp1234", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "dom0"})
    void acceptsQubesExamples(String name) {
        assertDoesNotThrow(() -> QubeNames.validate(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1stVM", "--helpVM", "_x", ".x", "test-###", "Domain-0", "none", "default", "foo-dm",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "lost+found", "my vm", "über", ""})
    void rejectsQubesExamples(String name) {
        QubesValueError e = assertThrows(QubesValueError.class, () -> QubeNames.validate(name));
        assertTrue(e.getMessage().startsWith("VM name"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void messagesNameTheRule() {
        assertTrue(assertThrows(QubesValueError.class, () -> QubeNames.validate("a".repeat(32))).getMessage().contains("32"));
        assertTrue(assertThrows(QubesValueError.class, () -> QubeNames.validate("foo-dm")).getMessage().contains("-dm"));
        assertTrue(assertThrows(QubesValueError.class, () -> QubeNames.validate("9x")).getMessage().contains("cannot start"));
        assertTrue(assertThrows(QubesValueError.class, () -> QubeNames.validate("a b")).getMessage().contains("illegal"));
    }
}
