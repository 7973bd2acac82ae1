package io.bulkhead.core.policy.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a qube token appears; each place accepts a different subset of the token forms. The
 * names are the ones Qubes puts in its error messages.
 */
enum Column {
    SOURCE("source", EnumSet.of(TokenKind.WILDCARD, TokenKind.ADMINVM, TokenKind.ANYVM,
            TokenKind.TYPE, TokenKind.TAG, TokenKind.DISPVM_TEMPLATE, TokenKind.DISPVM_TAG)),
    TARGET("target", EnumSet.of(TokenKind.WILDCARD, TokenKind.ADMINVM, TokenKind.ANYVM,
            TokenKind.DEFAULT, TokenKind.DISPVM, TokenKind.TYPE, TokenKind.TAG,
            TokenKind.DISPVM_TEMPLATE, TokenKind.DISPVM_TAG)),
    /** {@code target=} and {@code default_target=} parameters. */
    REDIRECT("redirect", EnumSet.of(TokenKind.ADMINVM, TokenKind.DISPVM, TokenKind.DISPVM_TEMPLATE)),
    /** The target a caller asks for. */
    INTENDED("intendedtarget", EnumSet.of(TokenKind.ADMINVM, TokenKind.DEFAULT, TokenKind.DISPVM,
            TokenKind.DISPVM_TEMPLATE));

    final String label;
    /** Keyword forms accepted here; literals are accepted everywhere. */
    final Set<TokenKind> keywords;

    Column(String label, Set<TokenKind> keywords) {
        this.label = label;
        this.keywords = keywords;
    }
}
