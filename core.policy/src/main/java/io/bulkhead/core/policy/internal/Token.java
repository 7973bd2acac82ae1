package io.bulkhead.core.policy.internal;

/**
 * A parsed qube token. Parsing follows Qubes' precedence exactly (exact keywords first, then
 * prefixes in the order {@code @type:}, {@code @tag:}, {@code @dispvm:}, {@code @dispvm:@tag:}),
 * so that the same text is rejected with the same message.
 */
final class Token {
    static final String DOM0_UUID = "uuid:00000000-0000-0000-0000-000000000000";

    private static final String[] EXACT = {"*", "@adminvm", "@anyvm", "@default", "@dispvm"};
    private static final TokenKind[] EXACT_KINDS = {TokenKind.WILDCARD, TokenKind.ADMINVM,
        TokenKind.ANYVM, TokenKind.DEFAULT, TokenKind.DISPVM};
    private static final String[] PREFIXES = {"@type:", "@tag:", "@dispvm:", "@dispvm:@tag:"};
    private static final TokenKind[] PREFIX_KINDS = {TokenKind.TYPE, TokenKind.TAG,
        TokenKind.DISPVM_TEMPLATE, TokenKind.DISPVM_TAG};

    final TokenKind kind;
    /** The token as written. */
    final String text;
    /** The part after the prefix for prefixed tokens, else the text. */
    final String value;
    /** {@code dom0}, {@code @adminvm} or the dom0 uuid. */
    final boolean dom0;
    /** For literals and {@code @dispvm:} values: the value is a {@code uuid:} form. */
    final boolean uuidForm;

    private Token(TokenKind kind, String text, String value) {
        this.kind = kind;
        this.text = text;
        this.value = value;
        this.dom0 = isDom0(text);
        this.uuidForm = value.startsWith("uuid:");
    }

    static boolean isDom0(String name) {
        return "dom0".equals(name) || "@adminvm".equals(name) || DOM0_UUID.equals(name);
    }

    static Token parse(String text, Column column) throws PolicySyntaxException {
        if (text.isEmpty()) {
            throw new PolicySyntaxException("invalid empty " + column.label + " token");
        }
        if (text.charAt(0) != '@' && !text.equals("*")) {
            return new Token(TokenKind.LITERAL, text, text);
        }
        for (int i = 0; i < EXACT.length; i++) {
            if (text.equals(EXACT[i]) && column.keywords.contains(EXACT_KINDS[i])) {
                return new Token(EXACT_KINDS[i], text, text);
            }
        }
        for (int i = 0; i < PREFIXES.length; i++) {
            if (!column.keywords.contains(PREFIX_KINDS[i]) || !text.startsWith(PREFIXES[i])) {
                continue;
            }
            String value = text.substring(PREFIXES[i].length());
            if (value.isEmpty()) {
                throw new PolicySyntaxException(
                        "invalid empty " + PREFIXES[i] + " token: " + PyText.repr(text));
            }
            if (value.charAt(0) == '@') {
                continue; // part of a longer prefix, or invalid
            }
            return new Token(PREFIX_KINDS[i], text, value);
        }
        throw new PolicySyntaxException("invalid " + column.label + " token: " + PyText.repr(text));
    }

    @Override
    public String toString() {
        return text;
    }
}
