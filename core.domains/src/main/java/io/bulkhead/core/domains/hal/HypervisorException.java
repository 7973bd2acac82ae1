package io.bulkhead.core.domains.hal;

/**
 * A backend operation failed (the emulator could not be spawned, QMP refused a command, xl
 * returned an error, ...). The message names the domain and the operation; core.domains reports
 * it to users as a {@code QubesVMError}/{@code QubesException}.
 */
public class HypervisorException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String domain;

    public HypervisorException(String domain, String message) {
        super(message);
        this.domain = domain;
    }

    public HypervisorException(String domain, String message, Throwable cause) {
        super(message, cause);
        this.domain = domain;
    }

    /** @return the domain concerned, or {@code null} for backend-wide failures */
    public String domain() {
        return domain;
    }
}
