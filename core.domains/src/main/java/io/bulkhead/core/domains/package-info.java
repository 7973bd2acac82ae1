/**
 * The qube model: the {@link io.bulkhead.core.domains.DomainsService} (qubes, properties with
 * computed defaults, features, tags, labels, global properties, power orchestration), its value
 * types and the typed errors that map one-to-one onto Qubes Admin API error classes
 * ({@link io.bulkhead.core.domains.QubesException#qubesClass()}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.bulkhead.core.domains;
