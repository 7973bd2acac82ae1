package io.bulkhead.core.domains.hal;

import java.util.Objects;

/**
 * A named host&lt;-&gt;guest byte channel the backend must provide (virtio-serial port on QEMU, a
 * vchan on Xen, an hvsocket service id on Hyper-V). The guest sees it under the same name
 * (e.g. virtio-serial port name {@code org.qubes-os.qrexec}); the host opens it with
 * {@link Hypervisor#openChannel(String, String)} while the domain runs.
 *
 * @param name channel name; {@link #QREXEC} and {@link #QUBESDB} are the well-known ones
 */
public record ChannelSpec(String name) {

    /** The qrexec agent channel, always present on qubes that run an agent. */
    public static final String QREXEC = "qrexec";
    /** The QubesDB channel (configuration key/value store of the qube). */
    public static final String QUBESDB = "qubesdb";

    public ChannelSpec {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("channel name must match [A-Za-z0-9_.-]+, got '" + name + "'");
        }
    }
}
