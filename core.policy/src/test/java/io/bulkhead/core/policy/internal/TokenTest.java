package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenTest {

    @ParameterizedTest(name = "{0} in {1} -> {2}")
    @CsvSource({
        "work, SOURCE, LITERAL", "uuid:123, TARGET, LITERAL", "$anyvm, SOURCE, LITERAL",
        "*, SOURCE, WILDCARD", "*, TARGET, WILDCARD",
        "@adminvm, SOURCE, ADMINVM", "@adminvm, REDIRECT, ADMINVM", "@adminvm, INTENDED, ADMINVM",
        "@anyvm, TARGET, ANYVM", "@default, TARGET, DEFAULT", "@default, INTENDED, DEFAULT",
        "@dispvm, TARGET, DISPVM", "@dispvm, REDIRECT, DISPVM",
        "@type:AppVM, SOURCE, TYPE", "@tag:x, TARGET, TAG",
        "@dispvm:dvm, SOURCE, DISPVM_TEMPLATE", "@dispvm:uuid:1, REDIRECT, DISPVM_TEMPLATE",
        "@dispvm:@tag:web, TARGET, DISPVM_TAG", "@dispvm:@tag:web, SOURCE, DISPVM_TAG",
    })
    void validTokens(String text, Column column, TokenKind kind) throws PolicySyntaxException {
        Token token = Token.parse(text, column);
        assertEquals(kind, token.kind);
        assertEquals(text, token.text);
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "@default|SOURCE|invalid source token: '@default'",
        "@dispvm|SOURCE|invalid source token: '@dispvm'",
        "*|REDIRECT|invalid redirect token: '*'",
        "@anyvm|REDIRECT|invalid redirect token: '@anyvm'",
        "@anyvm|INTENDED|invalid intendedtarget token: '@anyvm'",
        "@tag:x|REDIRECT|invalid redirect token: '@tag:x'",
        "@type:|TARGET|invalid empty @type: token: '@type:'",
        "@tag:|SOURCE|invalid empty @tag: token: '@tag:'",
        "@dispvm:|TARGET|invalid empty @dispvm: token: '@dispvm:'",
        "@dispvm:@tag:|TARGET|invalid empty @dispvm:@tag: token: '@dispvm:@tag:'",
        "@dispvm:@tag:|REDIRECT|invalid redirect token: '@dispvm:@tag:'",
        "@dispvm:@foo|TARGET|invalid target token: '@dispvm:@foo'",
        "@type:@x|TARGET|invalid target token: '@type:@x'",
        "@uuid:x|TARGET|invalid target token: '@uuid:x'",
        "@|SOURCE|invalid source token: '@'",
    })
    void invalidTokens(String text, Column column, String message) {
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class, () -> Token.parse(text, column));
        assertEquals(message, e.getMessage());
    }

    @Test
    void emptyTokenNamesTheColumn() {
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class, () -> Token.parse("", Column.REDIRECT));
        assertEquals("invalid empty redirect token", e.getMessage());
    }

    @Test
    void dom0SpellingsAreRecognised() throws PolicySyntaxException {
        assertTrue(Token.parse("dom0", Column.TARGET).dom0);
        assertTrue(Token.parse("@adminvm", Column.TARGET).dom0);
        assertTrue(Token.parse("uuid:00000000-0000-0000-0000-000000000000", Column.TARGET).dom0);
        assertTrue(Token.parse("uuid:x", Column.TARGET).uuidForm);
        assertEquals("dvm", Token.parse("@dispvm:dvm", Column.TARGET).value);
    }
}
