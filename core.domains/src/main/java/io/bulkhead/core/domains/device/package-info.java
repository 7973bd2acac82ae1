/**
 * Device class SPI (Qubes {@code qubes.devices} entry points): a backend bundle (device.usb,
 * device.pci) registers a {@link io.bulkhead.core.domains.device.DeviceClass} service with
 * {@value io.bulkhead.core.domains.device.DeviceClass#CLASS_PROPERTY}{@code =<class>}. The model
 * persists assignments per qube; listing and runtime attach/detach go through the service.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.bulkhead.core.domains.device;
