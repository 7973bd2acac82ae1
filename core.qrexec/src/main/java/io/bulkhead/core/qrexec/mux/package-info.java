/**
 * Multiplexing of qrexec connections over one byte channel (a virtio-serial port, a unix
 * socket): stream 0 carries the control connection, streams 1..65535 the data connections of
 * individual calls, each an unchanged sequence of Qubes messages. Per-stream credit keeps memory
 * bounded and lets no stream starve the others. The frame format is specified in
 * {@code docs/qrexec.md}. Plain Java (java.base only): the guest agent uses it too.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.bulkhead.core.qrexec.mux;
