/**
 * The qrexec policy engine: Qubes {@code policy.d} (R4.1+ format) loading, evaluation and
 * administration.
 *
 * <p>Entry points: {@link io.bulkhead.core.policy.PolicyLoader} builds an immutable
 * {@link io.bulkhead.core.policy.Policy} from ordered policy directories;
 * {@link io.bulkhead.core.policy.Policy#evaluate} decides a {@link io.bulkhead.core.policy.PolicyRequest}
 * against a {@link io.bulkhead.core.policy.SystemView}; {@link io.bulkhead.core.policy.PolicyService}
 * is the live, reloading OSGi service.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.bulkhead.core.policy;
