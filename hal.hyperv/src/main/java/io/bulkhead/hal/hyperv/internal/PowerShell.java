package io.bulkhead.hal.hyperv.internal;

import java.io.IOException;

/**
 * Runs the backend's PowerShell scripts somewhere (a local PowerShell process, a remote session,
 * or in tests a recording stand-in). Every script prints one JSON result envelope (see
 * {@link Envelope}); the runner returns that JSON text.
 */
interface PowerShell extends AutoCloseable {

    /**
     * @return the script's result envelope (JSON)
     * @throws IOException when the script could not be run or gave no envelope (PowerShell missing,
     *                     process died, timeout); error records of the script itself come back
     *                     inside the envelope, not as exceptions
     */
    String run(PowerShellScript script) throws IOException;

    /** Stops whatever process or session the runner keeps. Idempotent. */
    @Override
    void close();
}
