package io.bulkhead.qvm.client;

import java.io.InputStream;

/**
 * Carries Admin API calls from dom0 to qubesd: over the unix socket ({@link QubesdClient}) or in process.
 * The caller is always dom0, as for {@code qubesadmin.QubesLocal}.
 */
public interface AdminTransport {

    /**
     * Performs one call and waits for its answer.
     *
     * @param destination qube the call is about ({@code dom0} for global calls)
     * @param method      method name, e.g. {@code admin.vm.property.Get}
     * @param argument    argument ({@code ""} for none)
     * @param payload     payload ({@code byte[0]} for none)
     * @return the value of a success answer
     * @throws QubesCallException the error qubesd answered, named by its Qubes class, or the failure to reach it
     */
    byte[] call(String destination, String method, String argument, byte[] payload);

    /**
     * Opens a call whose answer streams ({@code admin.Events}, {@code bulkhead.vm.Run}): the raw answer, header
     * included, readable as it arrives. Closing the stream ends the call.
     *
     * @throws QubesCallException when this transport cannot stream or qubesd cannot be reached
     */
    default InputStream open(String destination, String method, String argument, byte[] payload) {
        throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR,
                method + " streams its answer: it needs the qubesd socket and cannot be called in process");
    }

    /**
     * Like {@link #open}, but goes on sending {@code input} after the payload, until its end, while
     * the answer streams ({@code bulkhead.vm.RunWithInput}: the command's stdin).
     *
     * @throws QubesCallException when this transport cannot stream or qubesd cannot be reached
     */
    default InputStream openWithInput(String destination, String method, String argument, byte[] payload, InputStream input) {
        return open(destination, method, argument, payload);
    }
}
