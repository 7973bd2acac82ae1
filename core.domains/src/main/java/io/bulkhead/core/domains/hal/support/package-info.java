/**
 * Small helpers shared by hypervisor backends (not part of the SPI contract): building a
 * metatype configuration outside OSGi, and blocking streams over a socket channel, IPv4 address checks.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.bulkhead.core.domains.hal.support;
