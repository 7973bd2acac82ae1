/**
 * Typed model events and the whiteboard listener SPI (Qubes' {@code qubes.ext} hooks).
 *
 * <p>Register a {@link io.bulkhead.core.domains.event.QubesEventListener} as an OSGi service
 * (e.g. a DS component). Optional service property
 * {@value io.bulkhead.core.domains.event.QubesEventListener#EVENT_PATTERNS} restricts delivery to
 * event names matching any of its glob patterns ({@code *} and {@code ?}, like Qubes' fnmatch:
 * {@code property-set:*}, {@code domain-feature-set:service.*}). Listeners are called
 * synchronously, in the thread performing the operation, in a stable order: higher
 * {@code service.ranking} first, then lower {@code service.id}.
 *
 * <p>Pre-events ({@link io.bulkhead.core.domains.event.QubesEvent#isPreEvent()}) may veto by
 * throwing: the operation is aborted and the caller gets the exception (a
 * {@link io.bulkhead.core.domains.QubesException} as is, anything else wrapped in one with the same
 * message). Exceptions from other events are logged and ignored.
 *
 * <p>Listeners run while the model lock is held and may call the model service back (their
 * changes join the caller's transaction and are saved with it). They must not block on, or call,
 * the power operations ({@code start}, {@code shutdown}, ...): hand those to another thread.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.bulkhead.core.domains.event;
