package io.bulkhead.core.policy.internal;

/** The qube token forms of the policy language (reference a.4). */
enum TokenKind {
    /** A qube name or {@code uuid:U}, taken literally. */
    LITERAL,
    /** {@code *}: any qube, dom0 included. */
    WILDCARD,
    /** {@code @adminvm}: dom0. */
    ADMINVM,
    /** {@code @anyvm}: any qube but dom0. */
    ANYVM,
    /** {@code @default}: the caller named no target. */
    DEFAULT,
    /** {@code @dispvm}: a disposable from the caller's default disposable template. */
    DISPVM,
    /** {@code @type:T}. */
    TYPE,
    /** {@code @tag:T}. */
    TAG,
    /** {@code @dispvm:NAME} (or {@code @dispvm:uuid:U}). */
    DISPVM_TEMPLATE,
    /** {@code @dispvm:@tag:T}: a disposable from any template tagged T. */
    DISPVM_TAG
}
