package io.bulkhead.core.admin;

/**
 * An Admin API method contributed by a bundle (devices, features, ...). Register as a service with
 * property {@link #METHOD} naming the method; core.admin routes calls to it after the generic
 * checks (source and destination exist, permission hooks). Methods built into core.admin take
 * precedence over a service of the same name.
 */
@FunctionalInterface
public interface AdminMethod {

    /** Service property: the method name, e.g. {@code admin.vm.device.usb.Available}. */
    String METHOD = "admin.method";

    /**
     * Performs the call.
     *
     * @param request the validated request
     * @return the success payload ({@code ""} for none)
     * @throws io.bulkhead.core.domains.QubesException (or a subclass) to answer with an error
     */
    String call(AdminRequest request);
}
