/**
 * The Qubes qrexec wire protocol, byte for byte: message header, message types, payload structs,
 * version negotiation, names and limits, plus strict readers and order checkers.
 *
 * <p>Plain Java (java.base only): the guest agent ships these classes. Every integer on the wire
 * is little-endian, as Qubes' C structs on x86/ARM. Bad input raises
 * {@link io.bulkhead.core.qrexec.protocol.ProtocolException} before any large allocation.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.bulkhead.core.qrexec.protocol;
