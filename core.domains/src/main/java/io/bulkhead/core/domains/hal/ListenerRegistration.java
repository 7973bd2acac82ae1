package io.bulkhead.core.domains.hal;

/** Handle returned when registering a listener; {@link #close()} unregisters it (idempotent). */
@FunctionalInterface
public interface ListenerRegistration extends AutoCloseable {

    @Override
    void close();
}
