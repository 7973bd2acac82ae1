/**
 * The Admin API seen by extensions: a request as it arrives on the qubesd socket (or through
 * qrexec from a qube), {@link io.bulkhead.core.admin.AdminMethod} services that contribute
 * methods, and {@link io.bulkhead.core.admin.AdminPermissionHook} services that may refuse calls
 * (Qubes' {@code admin-permission:<method>} event).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.bulkhead.core.admin;
