package io.bulkhead.core.domains.hal;

/** The backend has no domain of that name (never defined, or undefined). */
public class DomainNotFoundException extends HypervisorException {

    private static final long serialVersionUID = 1L;

    public DomainNotFoundException(String backendId, String domain) {
        super(domain, "hypervisor backend '" + backendId + "' has no domain '" + domain + "'");
    }
}
