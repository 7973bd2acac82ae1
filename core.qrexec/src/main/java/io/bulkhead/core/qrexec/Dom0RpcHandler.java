package io.bulkhead.core.qrexec;

/**
 * A qrexec service implemented in dom0 ({@code admin.*}, {@code policy.*}, feature services).
 * Register as a DS service with the property {@value #SERVICE_PROPERTY} naming the service
 * ({@code qubes.Foo}) or a service with one argument ({@code qubes.Foo+bar}, preferred over the
 * plain name, as Qubes' per-argument service files); several values are allowed. Handlers come
 * and go at runtime; a call to a name with no handler exits 127 for the caller.
 *
 * <p>Policy is evaluated before the handler runs; a handler only sees allowed calls. It runs on
 * a thread of its own per call.
 */
@FunctionalInterface
public interface Dom0RpcHandler {

    /** Service property naming the handled service(s). */
    String SERVICE_PROPERTY = "qrexec.service";

    /**
     * Serves one call.
     *
     * @return the exit status the caller sees
     * @throws Exception any failure; the caller then sees status 125 (qrexec problem)
     */
    int handle(Dom0RpcCall call) throws Exception;
}
