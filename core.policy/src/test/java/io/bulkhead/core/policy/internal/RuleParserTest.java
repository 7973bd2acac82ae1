package io.bulkhead.core.policy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.policy.RuleLocation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleParserTest {
    private static final RuleLocation HERE = new RuleLocation("f", 3);

    @Test
    void fullRule() throws PolicySyntaxException {
        Rule rule = RuleParser.parseLine("qubes.Gpg\t+key  work   vault ask target=vault default_target=vault "
                + "user=root notify=yes autostart=no", HERE);
        assertEquals("qubes.Gpg", rule.service);
        assertEquals("+key", rule.argument);
        assertEquals(TokenKind.LITERAL, rule.source.kind);
        assertEquals("vault", rule.target.text);
        assertEquals(Action.ASK, rule.action);
        assertEquals("vault", rule.redirect.text);
        assertEquals("vault", rule.defaultTarget.text);
        assertEquals("root", rule.user);
        assertTrue(rule.notify);
        assertFalse(rule.autostart);
        assertEquals(HERE, rule.location);
    }

    @Test
    void wildcardsAndDefaults() throws PolicySyntaxException {
        Rule allow = RuleParser.parseLine("* * @anyvm @anyvm allow", HERE);
        assertNull(allow.service);
        assertNull(allow.argument);
        assertFalse(allow.notify, "allow does not notify by default");
        assertTrue(allow.autostart);
        assertNull(allow.user);
        assertTrue(RuleParser.parseLine("* * @anyvm @anyvm deny", HERE).notify, "deny notifies by default");
        assertFalse(RuleParser.parseLine("* * @anyvm @anyvm deny notify=no", HERE).notify);
        assertNull(RuleParser.parseLine("a + @anyvm @anyvm allow user=", HERE).user, "empty user is the default");
        assertEquals("+", RuleParser.parseLine("a + @anyvm @anyvm allow", HERE).argument);
        assertEquals("+a+b", RuleParser.parseLine("a +a+b @anyvm @anyvm allow", HERE).argument);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a b c d|wrong number of fields",
        "a/b * @anyvm @anyvm allow|service 'a/b' contains invalid characters: ('/',)",
        "a+b * @anyvm @anyvm allow|service 'a+b' contains invalid characters: ('+',)",
        "a +x/y# @anyvm @anyvm allow|argument '+x/y#' contains invalid characters: ('#', '/')",
        "a x @anyvm @anyvm allow|argument 'x' does not start with +",
        "* +x @anyvm @anyvm allow|only * argument allowed for * service",
        "a * @bad @anyvm allow|invalid source token: '@bad'",
        "a * @anyvm @bad allow|invalid target token: '@bad'",
        "a * @anyvm @anyvm permit|invalid action: permit",
        "a * @anyvm @anyvm allow # comment|invalid action parameter syntax: '#'",
        "a * @anyvm @anyvm allow user=a user=b|parameter given twice: 'user'",
        "a * @anyvm @anyvm allow autostart=maybe|'autostart' is 'maybe', but can be only 'yes' or 'no'",
        "a * @anyvm @anyvm deny user=root|invalid parameters for action Deny: ['user=root']",
        "a * @anyvm @anyvm allow default_target=work notify=no|invalid parameters for action Allow: ['default_target=work', 'notify=no']",
        "a * @anyvm @anyvm allow target=@anyvm|invalid redirect token: '@anyvm'",
        "a * @anyvm @anyvm ask default_target=|invalid empty redirect token",
        "a * @anyvm @default allow|allow action for @default rule must specify target= option",
    })
    void invalidLines(String line, String message) {
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class, () -> RuleParser.parseLine(line, HERE));
        assertEquals(message, e.getMessage());
    }

    @Test
    void checksHappenInQubesOrder() {
        // a bad boolean is reported before an unknown parameter, as in Qubes
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class,
                () -> RuleParser.parseLine("a * @anyvm @anyvm deny bogus=1 notify=x", HERE));
        assertEquals("'notify' is 'x', but can be only 'yes' or 'no'", e.getMessage());
        // the service is checked before the tokens
        e = assertThrows(PolicySyntaxException.class, () -> RuleParser.parseLine("a! * @bad @bad bad", HERE));
        assertTrue(e.getMessage().startsWith("service 'a!'"));
    }

    @Test
    void oldServiceSyntax() throws PolicySyntaxException {
        Rule rule = RuleParser.parseServiceLine("qubes.Gpg", "*", "work vault allow target=dvm user=root", HERE);
        assertEquals("qubes.Gpg", rule.service);
        assertNull(rule.argument);
        assertEquals("dvm", rule.redirect.text);
        assertThrows(PolicySyntaxException.class, () -> RuleParser.parseServiceLine("s", "*", "work", HERE));
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class,
                () -> RuleParser.parseServiceLine("s", "*", "work vault", HERE));
        assertEquals("wrong number of fields", e.getMessage());
    }
}
