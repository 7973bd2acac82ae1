package io.bulkhead.core.domains.hal;

/** The operation needs a {@link Capability} this backend does not have. */
public class CapabilityNotSupportedException extends HypervisorException {

    private static final long serialVersionUID = 1L;

    private final Capability capability;

    public CapabilityNotSupportedException(String backendId, Capability capability, String domain) {
        super(domain, "hypervisor backend '" + backendId + "' does not support " + capability
                + (domain == null ? "" : " (domain '" + domain + "')"));
        this.capability = capability;
    }

    /** @return the missing capability */
    public Capability capability() {
        return capability;
    }
}
