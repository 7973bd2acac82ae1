/**
 * A client of the qubesd protocol (Admin API) as dom0 tools speak it: {@link io.bulkhead.qvm.client.QubesdClient}
 * over the unix socket, behind {@link io.bulkhead.qvm.client.AdminTransport} so that an in-process transport can
 * stand in; typed errors ({@link io.bulkhead.qvm.client.QubesCallException}) carry the Qubes exception class.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.bulkhead.qvm.client;
