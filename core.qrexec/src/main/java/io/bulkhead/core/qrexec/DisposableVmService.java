package io.bulkhead.core.qrexec;

/**
 * Provides disposable qubes for calls whose policy target is {@code @dispvm:TEMPLATE}. Optional:
 * without one registered such calls are refused with a log line naming the missing service.
 */
public interface DisposableVmService {

    /**
     * Creates (or takes from a pool) a disposable based on {@code dispTemplate} and starts it;
     * returns once its qrexec agent can be reached.
     *
     * @param source the calling qube (for logging, naming, network choice)
     * @return the disposable's qube name
     * @throws Exception if none can be provided; the call is then refused
     */
    String acquire(String dispTemplate, String source) throws Exception;

    /** The call that used {@code disposable} has ended: destroy it. Must not throw. */
    void release(String disposable);
}
